using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Strata.Kernels.Simd;

/// <summary>16 float lanes in a Vector512 (AVX-512). Where 512-bit vectors are not accelerated the runtime emulates them: correct, only slow, so tests can run this width anywhere. AVX-512 always has FMA, so MultiplyAdd is fused.</summary>
internal readonly unsafe struct Vec512(Vector512<float> value) : IWidening<Vec512, Vec512Wide>
{
    public readonly Vector512<float> Value = value;

    public static int Count => 16;

    public static Vec512 Zero => new(Vector512<float>.Zero);

    public static Vec512 One => new(Vector512<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Create(float value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Load(float* source) => new(Vector512.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vec512 value, float* destination) => value.Value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 operator +(Vec512 left, Vec512 right) => new(left.Value + right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 operator -(Vec512 left, Vec512 right) => new(left.Value - right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 operator *(Vec512 left, Vec512 right) => new(left.Value * right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 operator /(Vec512 left, Vec512 right) => new(left.Value / right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 operator -(Vec512 value) => new(-value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 MultiplyAdd(Vec512 a, Vec512 b, Vec512 c) => new(Vector512.FusedMultiplyAdd(a.Value, b.Value, c.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Max(Vec512 left, Vec512 right) => new(Vector512.MaxNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Min(Vec512 left, Vec512 right) => new(Vector512.MinNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Abs(Vec512 value) => new(Vector512.Abs(value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Sqrt(Vec512 value) => new(Vector512.Sqrt(value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Round(Vec512 value) => new(Vector512.Round(value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Pow2(Vec512 k) =>
        new(Vector512.ShiftLeft(Vector512.ConvertToInt32(k.Value) + Vector512.Create(127), 23).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 GreaterThan(Vec512 left, Vec512 right) => new(Vector512.GreaterThan(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 LessThan(Vec512 left, Vec512 right) => new(Vector512.LessThan(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 IsNotNaN(Vec512 value) => new(Vector512.Equals(value.Value, value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Select(Vec512 mask, Vec512 ifTrue, Vec512 ifFalse) => new(Vector512.ConditionalSelect(mask.Value, ifTrue.Value, ifFalse.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Int32Sequence(int start) => new((Vector512.Create(start) + Vector512<int>.Indices).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInt32(Vec512 value, int* destination) => value.Value.AsInt32().Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512Wide Widen(Vec512 value)
    {
        var (lower, upper) = Vector512.Widen(value.Value);
        return new(lower, upper);
    }
}

/// <summary>The 16 lanes of a <see cref="Vec512"/> as doubles: two Vector512&lt;double&gt; halves.</summary>
internal readonly unsafe struct Vec512Wide(Vector512<double> lower, Vector512<double> upper) : IWideVector<Vec512Wide>
{
    public readonly Vector512<double> Lower = lower, Upper = upper;

    public static Vec512Wide Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512Wide Create(double value) => new(Vector512.Create(value), Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512Wide Load(double* source) => new(Vector512.Load(source), Vector512.Load(source + Vector512<double>.Count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vec512Wide value, double* destination)
    {
        value.Lower.Store(destination);
        value.Upper.Store(destination + Vector512<double>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512Wide operator +(Vec512Wide left, Vec512Wide right) => new(left.Lower + right.Lower, left.Upper + right.Upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512Wide operator -(Vec512Wide left, Vec512Wide right) => new(left.Lower - right.Lower, left.Upper - right.Upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512Wide operator *(Vec512Wide left, Vec512Wide right) => new(left.Lower * right.Lower, left.Upper * right.Upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512Wide MultiplyAdd(Vec512Wide a, Vec512Wide b, Vec512Wide c) =>
        new(Vector512.FusedMultiplyAdd(a.Lower, b.Lower, c.Lower), Vector512.FusedMultiplyAdd(a.Upper, b.Upper, c.Upper));

    /// <summary>Σ lanes: the two halves added, then the runtime's horizontal sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vec512Wide value) => Vector512.Sum(value.Lower + value.Upper);
}
