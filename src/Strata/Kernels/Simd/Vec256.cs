using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.Simd;

/// <summary>8 float lanes in a Vector256 (AVX2). Emulated where not accelerated.</summary>
internal readonly unsafe struct Vec256(Vector256<float> value) : IWidening<Vec256, Vec256Wide>
{
    public readonly Vector256<float> Value = value;

    /// <summary>
    /// Whether the hardware fuses a·b + c (FMA3 on x86, always on ARM64). The choice is made here, once, rather than
    /// by <c>MultiplyAddEstimate</c>, whose result may change with the JIT tier: a kernel must round the same way
    /// in every call of a run.
    /// </summary>
    internal static bool HasFma => Fma.IsSupported || AdvSimd.IsSupported;

    public static int Count => 8;

    public static Vec256 Zero => new(Vector256<float>.Zero);

    public static Vec256 One => new(Vector256<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Create(float value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Load(float* source) => new(Vector256.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vec256 value, float* destination) => value.Value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 operator +(Vec256 left, Vec256 right) => new(left.Value + right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 operator -(Vec256 left, Vec256 right) => new(left.Value - right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 operator *(Vec256 left, Vec256 right) => new(left.Value * right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 operator /(Vec256 left, Vec256 right) => new(left.Value / right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 operator -(Vec256 value) => new(-value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 MultiplyAdd(Vec256 a, Vec256 b, Vec256 c) =>
        new(HasFma ? Vector256.FusedMultiplyAdd(a.Value, b.Value, c.Value) : a.Value * b.Value + c.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Max(Vec256 left, Vec256 right) => new(Vector256.MaxNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Min(Vec256 left, Vec256 right) => new(Vector256.MinNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Abs(Vec256 value) => new(Vector256.Abs(value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Sqrt(Vec256 value) => new(Vector256.Sqrt(value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Round(Vec256 value) => new(Vector256.Round(value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Pow2(Vec256 k) =>
        new(Vector256.ShiftLeft(Vector256.ConvertToInt32(k.Value) + Vector256.Create(127), 23).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 GreaterThan(Vec256 left, Vec256 right) => new(Vector256.GreaterThan(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 LessThan(Vec256 left, Vec256 right) => new(Vector256.LessThan(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 IsNotNaN(Vec256 value) => new(Vector256.Equals(value.Value, value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Select(Vec256 mask, Vec256 ifTrue, Vec256 ifFalse) => new(Vector256.ConditionalSelect(mask.Value, ifTrue.Value, ifFalse.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Int32Sequence(int start) => new((Vector256.Create(start) + Vector256<int>.Indices).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInt32(Vec256 value, int* destination) => value.Value.AsInt32().Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256Wide Widen(Vec256 value)
    {
        var (lower, upper) = Vector256.Widen(value.Value);
        return new(lower, upper);
    }
}

/// <summary>The 8 lanes of a <see cref="Vec256"/> as doubles: two Vector256&lt;double&gt; halves.</summary>
internal readonly unsafe struct Vec256Wide(Vector256<double> lower, Vector256<double> upper) : IWideVector<Vec256Wide>
{
    public readonly Vector256<double> Lower = lower, Upper = upper;

    private static bool HasFmaWide => Vec256.HasFma;

    public static Vec256Wide Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256Wide Create(double value) => new(Vector256.Create(value), Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256Wide Load(double* source) => new(Vector256.Load(source), Vector256.Load(source + Vector256<double>.Count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vec256Wide value, double* destination)
    {
        value.Lower.Store(destination);
        value.Upper.Store(destination + Vector256<double>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256Wide operator +(Vec256Wide left, Vec256Wide right) => new(left.Lower + right.Lower, left.Upper + right.Upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256Wide operator -(Vec256Wide left, Vec256Wide right) => new(left.Lower - right.Lower, left.Upper - right.Upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256Wide operator *(Vec256Wide left, Vec256Wide right) => new(left.Lower * right.Lower, left.Upper * right.Upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256Wide MultiplyAdd(Vec256Wide a, Vec256Wide b, Vec256Wide c) =>
        HasFmaWide
            ? new(Vector256.FusedMultiplyAdd(a.Lower, b.Lower, c.Lower), Vector256.FusedMultiplyAdd(a.Upper, b.Upper, c.Upper))
            : new(a.Lower * b.Lower + c.Lower, a.Upper * b.Upper + c.Upper);

    /// <summary>Σ lanes: the two halves added, then the runtime's horizontal sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vec256Wide value) => Vector256.Sum(value.Lower + value.Upper);
}
