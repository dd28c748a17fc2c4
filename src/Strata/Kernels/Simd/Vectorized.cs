using System.Runtime.CompilerServices;

namespace Strata.Kernels.Simd;

/// <summary>
/// The body of an element-wise kernel: <see cref="Invoke{TV}"/> computes elements [i, i + TV.Count) at width TV. The
/// body holds its own pointers (any number of inputs and outputs, in place or not) and scalar settings, and is
/// written once for all widths.
/// </summary>
internal interface IVectorBody
{
    void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>;
}

/// <summary>An element-wise body that accumulates in double (TW holds TV's lanes as doubles).</summary>
internal interface IWideBody
{
    void Invoke<TV, TW>(nint i) where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>;
}

/// <summary>A sum over elements in double: <see cref="Accumulate{TV, TW}"/> adds elements [i, i + TV.Count) into sum.</summary>
internal interface IWideReduction
{
    TW Accumulate<TV, TW>(nint i, TW sum) where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>;
}

/// <summary>
/// The loop drivers of the portable vector layer. A run at width W covers [0, count) with whole W-lane vectors, then
/// the remainder with each narrower width once (at most one vector each), then scalar: every element is computed
/// exactly once, so bodies may update in place, and which width computes an element depends only on count and W,
/// never on the thread that runs it.
/// </summary>
internal static class Vectorized
{
    /// <summary>Runs <paramref name="body"/> over [0, <paramref name="count"/>) at the current width.</summary>
    public static void For<TBody>(TBody body, nint count) where TBody : struct, IVectorBody
    {
        var job = new ForJob<TBody> { Body = body, Count = count };
        VectorWidths.Dispatch(ref job);
    }

    /// <summary>Runs <paramref name="body"/> over [0, <paramref name="count"/>) from width <typeparamref name="TV"/> down.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void For<TBody, TV>(ref TBody body, nint count) where TBody : struct, IVectorBody where TV : unmanaged, IVector<TV>
    {
        nint i = 0;
        if (TV.Count >= Vec512.Count)
        {
            for (; i <= count - Vec512.Count; i += Vec512.Count)
                body.Invoke<Vec512>(i);
        }
        if (TV.Count >= Vec256.Count)
        {
            for (; i <= count - Vec256.Count; i += Vec256.Count)
                body.Invoke<Vec256>(i);
        }
        if (TV.Count >= Vec128.Count)
        {
            for (; i <= count - Vec128.Count; i += Vec128.Count)
                body.Invoke<Vec128>(i);
        }
        for (; i < count; i++)
            body.Invoke<Scalar>(i);
    }

    /// <summary>Runs <paramref name="body"/> over [0, <paramref name="count"/>) from width <typeparamref name="TV"/> down.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ForWide<TBody, TV, TW>(ref TBody body, nint count)
        where TBody : struct, IWideBody where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
    {
        nint i = 0;
        if (TV.Count >= Vec512.Count)
        {
            for (; i <= count - Vec512.Count; i += Vec512.Count)
                body.Invoke<Vec512, Vec512Wide>(i);
        }
        if (TV.Count >= Vec256.Count)
        {
            for (; i <= count - Vec256.Count; i += Vec256.Count)
                body.Invoke<Vec256, Vec256Wide>(i);
        }
        if (TV.Count >= Vec128.Count)
        {
            for (; i <= count - Vec128.Count; i += Vec128.Count)
                body.Invoke<Vec128, Vec128Wide>(i);
        }
        for (; i < count; i++)
            body.Invoke<Scalar, ScalarWide>(i);
    }

    /// <summary>
    /// Σ over [0, <paramref name="count"/>) in double at the current width: each width's vectors sum into their own
    /// accumulator, and the widths' totals are added widest first, so the result depends only on count and width.
    /// </summary>
    public static double Sum<TOp>(TOp op, nint count) where TOp : struct, IWideReduction
    {
        var job = new SumJob<TOp> { Op = op, Count = count };
        VectorWidths.Dispatch(ref job);
        return job.Total;
    }

    /// <summary><see cref="Sum{TOp}(TOp, nint)"/> from width <typeparamref name="TV"/> down.</summary>
    public static double Sum<TOp, TV>(ref TOp op, nint count) where TOp : struct, IWideReduction where TV : unmanaged, IVector<TV>
    {
        double total = 0;
        nint i = 0;
        if (TV.Count >= Vec512.Count && count >= Vec512.Count)
        {
            var sum = Vec512Wide.Zero;
            for (; i <= count - Vec512.Count; i += Vec512.Count)
                sum = op.Accumulate<Vec512, Vec512Wide>(i, sum);
            total += Vec512Wide.Sum(sum);
        }
        if (TV.Count >= Vec256.Count && count - i >= Vec256.Count)
        {
            var sum = Vec256Wide.Zero;
            for (; i <= count - Vec256.Count; i += Vec256.Count)
                sum = op.Accumulate<Vec256, Vec256Wide>(i, sum);
            total += Vec256Wide.Sum(sum);
        }
        if (TV.Count >= Vec128.Count && count - i >= Vec128.Count)
        {
            var sum = Vec128Wide.Zero;
            for (; i <= count - Vec128.Count; i += Vec128.Count)
                sum = op.Accumulate<Vec128, Vec128Wide>(i, sum);
            total += Vec128Wide.Sum(sum);
        }
        for (; i < count; i++)
            total += op.Accumulate<Scalar, ScalarWide>(i, ScalarWide.Zero).Value;
        return total;
    }

    private struct ForJob<TBody> : IWidthJob where TBody : struct, IVectorBody
    {
        public TBody Body;
        public nint Count;

        public void Run<TV, TW>() where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
            => For<TBody, TV>(ref Body, Count);
    }

    private struct SumJob<TOp> : IWidthJob where TOp : struct, IWideReduction
    {
        public TOp Op;
        public nint Count;
        public double Total;

        public void Run<TV, TW>() where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
            => Total = Sum<TOp, TV>(ref Op, Count);
    }
}
