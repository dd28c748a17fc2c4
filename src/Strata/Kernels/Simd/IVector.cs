namespace Strata.Kernels.Simd;

/// <summary>
/// A vector of <see cref="Count"/> floats at one width: <see cref="Scalar"/> (1 lane), <see cref="Vec128"/> (4),
/// <see cref="Vec256"/> (8) or <see cref="Vec512"/> (16). A kernel body written once as a generic method over
/// <c>TV : IVector&lt;TV&gt;</c> is compiled by the JIT into one specialized loop per width, with every operator
/// below inlined into the instruction it names, so the one source serves AVX-512, AVX2, SSE, NEON and the scalar
/// tail. (The runtime's own <c>ISimdVector&lt;TSelf, T&gt;</c> has this shape but is internal to .NET.)
/// </summary>
/// <remarks>
/// Comparisons return masks: every bit of a lane set where the comparison holds, clear elsewhere, for
/// <see cref="Select"/>. <see cref="MultiplyAdd"/> is fused where the hardware has FMA and a multiply then an add
/// where it has not (x86 without FMA), so no width falls back to a slow software FMA; the choice is fixed per
/// process, so a kernel rounds the same way at every JIT tier.
/// <para>
/// A vector can also carry Count int32 lanes as bit patterns (<see cref="Int32Sequence"/>, <see cref="StoreInt32"/>),
/// for indices that must stay exact beyond float's 2²⁴ beside the float data they index (max pooling's argmax).
/// Such a vector is only moved and chosen by <see cref="Select"/>, which copies bits; float arithmetic on it is
/// meaningless.
/// </para>
/// </remarks>
internal unsafe interface IVector<TSelf> where TSelf : unmanaged, IVector<TSelf>
{
    /// <summary>Float lanes in one vector.</summary>
    static abstract int Count { get; }

    static abstract TSelf Zero { get; }

    static abstract TSelf One { get; }

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TSelf Create(float value);

    /// <summary>Count floats from <paramref name="source"/> (no alignment needed).</summary>
    static abstract TSelf Load(float* source);

    /// <summary>Count floats to <paramref name="destination"/> (no alignment needed).</summary>
    static abstract void Store(TSelf value, float* destination);

    static abstract TSelf operator +(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf left, TSelf right);

    static abstract TSelf operator *(TSelf left, TSelf right);

    static abstract TSelf operator /(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf value);

    /// <summary>a·b + c, fused where the hardware has FMA.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>Lane-wise larger value (IEEE maxNum is not promised: which NaN wins may differ by width).</summary>
    static abstract TSelf Max(TSelf left, TSelf right);

    static abstract TSelf Min(TSelf left, TSelf right);

    static abstract TSelf Abs(TSelf value);

    static abstract TSelf Sqrt(TSelf value);

    /// <summary>Round to the nearest integer, ties to even.</summary>
    static abstract TSelf Round(TSelf value);

    /// <summary>2^k for lanes holding integral k in [−126, 127], built in the exponent bits.</summary>
    static abstract TSelf Pow2(TSelf k);

    static abstract TSelf GreaterThan(TSelf left, TSelf right);

    static abstract TSelf LessThan(TSelf left, TSelf right);

    /// <summary>Mask of the lanes that are not NaN (x = x).</summary>
    static abstract TSelf IsNotNaN(TSelf value);

    /// <summary>Lane by lane: <paramref name="ifTrue"/> where <paramref name="mask"/> is set, <paramref name="ifFalse"/> elsewhere (bits copied unchanged).</summary>
    static abstract TSelf Select(TSelf mask, TSelf ifTrue, TSelf ifFalse);

    /// <summary>int32 lanes start, start + 1, …, start + Count − 1 (wrapping), held as bit patterns.</summary>
    static abstract TSelf Int32Sequence(int start);

    /// <summary>The Count lanes as int32 bit patterns to <paramref name="destination"/> (no alignment needed).</summary>
    static abstract void StoreInt32(TSelf value, int* destination);
}

/// <summary>
/// A float vector that widens into <typeparamref name="TWide"/>, the same lanes as doubles, for sums that must keep
/// their digits over millions of values (BatchNorm statistics, gradient norms).
/// </summary>
internal unsafe interface IWidening<TSelf, TWide> : IVector<TSelf>
    where TSelf : unmanaged, IWidening<TSelf, TWide>
    where TWide : unmanaged, IWideVector<TWide>
{
    /// <summary>The Count lanes as doubles.</summary>
    static abstract TWide Widen(TSelf value);
}

/// <summary>Count doubles (the widened lanes of one float vector), with the few operations accumulation needs.</summary>
internal unsafe interface IWideVector<TSelf> where TSelf : unmanaged, IWideVector<TSelf>
{
    static abstract TSelf Zero { get; }

    static abstract TSelf Create(double value);

    static abstract TSelf Load(double* source);

    static abstract void Store(TSelf value, double* destination);

    static abstract TSelf operator +(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf left, TSelf right);

    static abstract TSelf operator *(TSelf left, TSelf right);

    /// <summary>a·b + c, fused where the hardware has FMA.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>The sum of the lanes, in a fixed order.</summary>
    static abstract double Sum(TSelf value);
}
