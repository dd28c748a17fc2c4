using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.Simd;

/// <summary>4 float lanes in a Vector128: SSE on x86, NEON on ARM64 (the path Apple Silicon and ARM servers run). Emulated where not accelerated.</summary>
internal readonly unsafe struct Vec128(Vector128<float> value) : IWidening<Vec128, Vec128Wide>
{
    public readonly Vector128<float> Value = value;

    /// <summary>
    /// Whether the hardware fuses a·b + c (FMA3 on x86, always on ARM64). The choice is made here, once, rather than
    /// by <c>MultiplyAddEstimate</c>, whose result may change with the JIT tier: a kernel must round the same way
    /// in every call of a run.
    /// </summary>
    internal static bool HasFma => Fma.IsSupported || AdvSimd.IsSupported;

    public static int Count => 4;

    public static Vec128 Zero => new(Vector128<float>.Zero);

    public static Vec128 One => new(Vector128<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Create(float value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Load(float* source) => new(Vector128.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vec128 value, float* destination) => value.Value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 operator +(Vec128 left, Vec128 right) => new(left.Value + right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 operator -(Vec128 left, Vec128 right) => new(left.Value - right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 operator *(Vec128 left, Vec128 right) => new(left.Value * right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 operator /(Vec128 left, Vec128 right) => new(left.Value / right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 operator -(Vec128 value) => new(-value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 MultiplyAdd(Vec128 a, Vec128 b, Vec128 c) =>
        new(HasFma ? Vector128.FusedMultiplyAdd(a.Value, b.Value, c.Value) : a.Value * b.Value + c.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Max(Vec128 left, Vec128 right) => new(Vector128.MaxNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Min(Vec128 left, Vec128 right) => new(Vector128.MinNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Abs(Vec128 value) => new(Vector128.Abs(value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Sqrt(Vec128 value) => new(Vector128.Sqrt(value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Round(Vec128 value) => new(Vector128.Round(value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Pow2(Vec128 k) =>
        new(Vector128.ShiftLeft(Vector128.ConvertToInt32(k.Value) + Vector128.Create(127), 23).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 GreaterThan(Vec128 left, Vec128 right) => new(Vector128.GreaterThan(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 LessThan(Vec128 left, Vec128 right) => new(Vector128.LessThan(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 IsNotNaN(Vec128 value) => new(Vector128.Equals(value.Value, value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Select(Vec128 mask, Vec128 ifTrue, Vec128 ifFalse) => new(Vector128.ConditionalSelect(mask.Value, ifTrue.Value, ifFalse.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Int32Sequence(int start) => new((Vector128.Create(start) + Vector128<int>.Indices).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInt32(Vec128 value, int* destination) => value.Value.AsInt32().Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128Wide Widen(Vec128 value)
    {
        var (lower, upper) = Vector128.Widen(value.Value);
        return new(lower, upper);
    }
}

/// <summary>The 4 lanes of a <see cref="Vec128"/> as doubles: two Vector128&lt;double&gt; halves.</summary>
internal readonly unsafe struct Vec128Wide(Vector128<double> lower, Vector128<double> upper) : IWideVector<Vec128Wide>
{
    public readonly Vector128<double> Lower = lower, Upper = upper;

    private static bool HasFmaWide => Vec128.HasFma;

    public static Vec128Wide Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128Wide Create(double value) => new(Vector128.Create(value), Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128Wide Load(double* source) => new(Vector128.Load(source), Vector128.Load(source + Vector128<double>.Count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vec128Wide value, double* destination)
    {
        value.Lower.Store(destination);
        value.Upper.Store(destination + Vector128<double>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128Wide operator +(Vec128Wide left, Vec128Wide right) => new(left.Lower + right.Lower, left.Upper + right.Upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128Wide operator -(Vec128Wide left, Vec128Wide right) => new(left.Lower - right.Lower, left.Upper - right.Upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128Wide operator *(Vec128Wide left, Vec128Wide right) => new(left.Lower * right.Lower, left.Upper * right.Upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128Wide MultiplyAdd(Vec128Wide a, Vec128Wide b, Vec128Wide c) =>
        HasFmaWide
            ? new(Vector128.FusedMultiplyAdd(a.Lower, b.Lower, c.Lower), Vector128.FusedMultiplyAdd(a.Upper, b.Upper, c.Upper))
            : new(a.Lower * b.Lower + c.Lower, a.Upper * b.Upper + c.Upper);

    /// <summary>Σ lanes: the two halves added, then the runtime's horizontal sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vec128Wide value) => Vector128.Sum(value.Lower + value.Upper);
}
