using System.Runtime.CompilerServices;

namespace Strata.Kernels.Simd;

/// <summary>
/// One float lane: the width of the tails after the vector loops, and the whole of a kernel where no vector
/// instructions are available (DOTNET_EnableHWIntrinsic=0). It runs the same source as the vector widths, so a tail
/// computes exactly the formula of the body; the separate plain twins in Reference/ check them all.
/// </summary>
internal readonly unsafe struct Scalar(float value) : IWidening<Scalar, ScalarWide>
{
    private const int AllBits = -1;

    public readonly float Value = value;

    public static int Count => 1;

    public static Scalar Zero => new(0f);

    public static Scalar One => new(1f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar Create(float value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar Load(float* source) => new(*source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Scalar value, float* destination) => *destination = value.Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar operator +(Scalar left, Scalar right) => new(left.Value + right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar operator -(Scalar left, Scalar right) => new(left.Value - right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar operator *(Scalar left, Scalar right) => new(left.Value * right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar operator /(Scalar left, Scalar right) => new(left.Value / right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar operator -(Scalar value) => new(-value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar MultiplyAdd(Scalar a, Scalar b, Scalar c) =>
        new(Vec128.HasFma ? MathF.FusedMultiplyAdd(a.Value, b.Value, c.Value) : a.Value * b.Value + c.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar Max(Scalar left, Scalar right) => new(left.Value > right.Value ? left.Value : right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar Min(Scalar left, Scalar right) => new(left.Value < right.Value ? left.Value : right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar Abs(Scalar value) => new(MathF.Abs(value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar Sqrt(Scalar value) => new(MathF.Sqrt(value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar Round(Scalar value) => new(MathF.Round(value.Value, MidpointRounding.ToEven));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar Pow2(Scalar k) => new(BitConverter.Int32BitsToSingle(((int)k.Value + 127) << 23));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar GreaterThan(Scalar left, Scalar right) => Mask(left.Value > right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar LessThan(Scalar left, Scalar right) => Mask(left.Value < right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar IsNotNaN(Scalar value) => Mask(!float.IsNaN(value.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar Select(Scalar mask, Scalar ifTrue, Scalar ifFalse) =>
        BitConverter.SingleToInt32Bits(mask.Value) != 0 ? ifTrue : ifFalse;

    // The int32 lane lives in the float's bits. Between these two calls the float is only moved (registers, stack,
    // Select's choice), never computed with, and on x64 and ARM64 the JIT moves floats as bits in SSE/NEON
    // registers, so even the patterns that read as NaN (0x7F800001 and up, indices past 2.1·10⁹) come back
    // exactly; Int32LanesTests checks such patterns at every width.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar Int32Sequence(int start) => new(BitConverter.Int32BitsToSingle(start));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInt32(Scalar value, int* destination) => *destination = BitConverter.SingleToInt32Bits(value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarWide Widen(Scalar value) => new(value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Scalar Mask(bool set) => new(BitConverter.Int32BitsToSingle(set ? AllBits : 0));
}

/// <summary>One double lane, the widened <see cref="Scalar"/>.</summary>
internal readonly unsafe struct ScalarWide(double value) : IWideVector<ScalarWide>
{
    public readonly double Value = value;

    public static ScalarWide Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarWide Create(double value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarWide Load(double* source) => new(*source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ScalarWide value, double* destination) => *destination = value.Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarWide operator +(ScalarWide left, ScalarWide right) => new(left.Value + right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarWide operator -(ScalarWide left, ScalarWide right) => new(left.Value - right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarWide operator *(ScalarWide left, ScalarWide right) => new(left.Value * right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarWide MultiplyAdd(ScalarWide a, ScalarWide b, ScalarWide c) =>
        new(Vec128.HasFma ? Math.FusedMultiplyAdd(a.Value, b.Value, c.Value) : a.Value * b.Value + c.Value);

    public static double Sum(ScalarWide value) => value.Value;
}
