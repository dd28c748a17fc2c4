using System.Runtime.CompilerServices;
using Strata.Kernels.Parallel;
using Strata.Kernels.Simd;

namespace Strata.Kernels;

/// <summary>
/// Normalization with statistics per sample rather than per batch, over a tensor viewed as
/// [samples, positions, groups·groupSize]: the channels of each sample are split into groups of groupSize adjacent
/// channels, and group g of sample n is normalized over its M = positions·groupSize values
/// x[n, p, g·groupSize + j]. That is Group Normalization (Wu &amp; He 2018) on channels-last images
/// (positions = H·W), Layer Normalization (Ba et al. 2016) as its case of one group and one position per row, and
/// the recurrent layers' normalization of their pre-activations (one row per sample and step).
/// <para>
/// Forward: μ = Σx/M and σ² = Σ(x − μ)²/M in two passes with double accumulators (never E[x²] − E[x]²),
/// invStd = 1/√(σ² + ε), x̂ = (x − μ)·invStd, y = γ_c·x̂ + β_c with γ, β per channel c.
/// Backward, with dx̂ = γ·dy: dx = invStd·(dx̂ − (Σdx̂ + x̂·Σdx̂·x̂)/M) (the sums over the group). The parameter
/// gradients dγ = Σ dy·x̂ and dβ = Σ dy are column sums over all rows, which
/// <see cref="BatchNormKernels.BackwardSums"/> computes from the cached x̂ with a zero mean.
/// </para>
/// Samples are independent, so they run in chunks on the worker pool and no result depends on the chunking.
/// Scalar twins are in <see cref="Reference.ReferenceGroupNormKernels"/>.
/// </summary>
internal static class GroupNormKernels
{
    /// <summary>
    /// y = γ·(x − μ)·invStd + β per sample and group, writing invStd [samples·groups] and, unless
    /// <paramref name="xHat"/> is empty (inference), x̂ for the backward pass. <paramref name="y"/> may be
    /// <paramref name="x"/> itself (normalized in place).
    /// </summary>
    public static unsafe void Forward(ReadOnlySpan<float> x, int samples, int positions, int groups, int groupSize,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon, Span<float> invStd, Span<float> xHat, Span<float> y)
    {
        // x, xHat, y: [samples, positions, groups·groupSize]; gamma, beta: [groups·groupSize]; invStd: [samples·groups]
        long length = Check(x.Length, samples, positions, groups, groupSize, gamma.Length, invStd.Length);
        if (beta.Length != gamma.Length || y.Length != length || (!xHat.IsEmpty && xHat.Length != length))
            throw new ArgumentException($"GroupNorm kernel spans do not match: beta {beta.Length}, y {y.Length}, xHat {xHat.Length} for {length} values.");
        fixed (float* px = x, pg = gamma, pb = beta, ps = invStd, pxh = xHat, py = y)
        {
            var body = new SampleBody
            {
                Backward = false, X = px, Gamma = pg, Beta = pb, InvStd = ps, XHat = xHat.IsEmpty ? null : pxh, Output = py,
                Epsilon = epsilon, Positions = positions, Groups = groups, GroupSize = groupSize,
            };
            Run(ref body, samples);
        }
    }

    /// <summary>
    /// dx = invStd·(γ·dy − (Σγ·dy + x̂·Σγ·dy·x̂)/M) per sample and group, from the forward pass's x̂ and invStd.
    /// </summary>
    public static unsafe void BackwardInput(ReadOnlySpan<float> xHat, ReadOnlySpan<float> dY, int samples, int positions, int groups,
        int groupSize, ReadOnlySpan<float> gamma, ReadOnlySpan<float> invStd, Span<float> dX)
    {
        // xHat, dY, dX: [samples, positions, groups·groupSize]; gamma: [groups·groupSize]; invStd: [samples·groups]
        long length = Check(xHat.Length, samples, positions, groups, groupSize, gamma.Length, invStd.Length);
        if (dY.Length != length || dX.Length != length)
            throw new ArgumentException($"GroupNorm kernel spans do not match: dY {dY.Length}, dX {dX.Length} for {length} values.");
        fixed (float* pxh = xHat, pdy = dY, pg = gamma, ps = invStd, pdx = dX)
        {
            var body = new SampleBody
            {
                Backward = true, X = pdy, XHat = pxh, Gamma = pg, InvStd = ps, Output = pdx,
                Positions = positions, Groups = groups, GroupSize = groupSize,
            };
            Run(ref body, samples);
        }
    }

    private static void Run(ref SampleBody body, int samples)
    {
        if (samples == 0) return;
        long perSample = (long)body.Positions * body.Groups * body.GroupSize;
        // Chunks of about half an L2 of values (at most 64), as BatchNorm's row chunks: less is over before a second
        // core could have pulled its share into its cache.
        int perChunk = (int)Math.Max((samples + 63) / 64, Math.Min(samples, (ChunkValues + perSample - 1) / Math.Max(perSample, 1)));
        body.Samples = samples;
        body.SamplesPerChunk = perChunk;
        WorkerPool.Run((samples + perChunk - 1) / perChunk, ref body);
    }

    private static readonly long ChunkValues = CacheSizes.Machine.L2 / 2 / sizeof(float);

    private static long Check(int length, int samples, int positions, int groups, int groupSize, int channels, int statistics)
    {
        long expected = (long)samples * positions * groups * groupSize;
        if (samples < 0 || positions < 1 || groups < 1 || groupSize < 1 || length != expected || channels != groups * groupSize
            || statistics != samples * groups)
        {
            throw new ArgumentException(
                $"GroupNorm kernel spans do not match: length {length} for [{samples}, {positions}, {groups}·{groupSize}], " +
                $"{channels} per-channel values (expected {groups * groupSize}), {statistics} statistics (expected {samples * groups}).");
        }
        return expected;
    }

    /// <summary>The samples [chunk·SamplesPerChunk, …) of a forward or backward pass, at the dispatched width.</summary>
    private unsafe struct SampleBody : WorkerPool.IChunkBody, IWidthJob
    {
        public bool Backward;
        // Forward: X = x, Output = y. Backward: X = dy, Output = dx.
        public float* X, XHat, Gamma, Beta, InvStd, Output;
        public float Epsilon;
        public int Positions, Groups, GroupSize, Samples, SamplesPerChunk, Chunk;

        public void Execute(int chunk)
        {
            var job = this;
            job.Chunk = chunk;
            VectorWidths.Dispatch(ref job);
        }

        public readonly void Run<TV, TW>() where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
        {
            int n0 = Chunk * SamplesPerChunk, n1 = Math.Min(Samples, n0 + SamplesPerChunk);
            int channels = Groups * GroupSize;
            for (int n = n0; n < n1; n++)
            {
                for (int g = 0; g < Groups; g++)
                {
                    if (Backward) GroupBackward<TV>(n, g, channels);
                    else GroupForward<TV>(n, g, channels);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void GroupForward<TV>(int n, int g, int channels) where TV : unmanaged, IVector<TV>
        {
            long first = (long)n * Positions * channels + (long)g * GroupSize;
            double count = (double)Positions * GroupSize, sum = 0, squares = 0;
            for (int p = 0; p < Positions; p++)
            {
                var run = new BatchNormKernels.RunSum { X = X + first + (long)p * channels };
                sum += Vectorized.Sum<BatchNormKernels.RunSum, TV>(ref run, GroupSize);
            }
            float mean = (float)(sum / count);
            for (int p = 0; p < Positions; p++)
            {
                var run = new BatchNormKernels.RunSum { X = X + first + (long)p * channels, Shift = mean, Squares = true };
                squares += Vectorized.Sum<BatchNormKernels.RunSum, TV>(ref run, GroupSize);
            }
            float invStd = 1f / MathF.Sqrt((float)(squares / count) + Epsilon);
            InvStd[(long)n * Groups + g] = invStd;
            for (int p = 0; p < Positions; p++)
            {
                long at = first + (long)p * channels;
                var normalize = new Normalize
                {
                    X = X + at, XHat = XHat == null ? null : XHat + at, Y = Output + at,
                    Gamma = Gamma + g * GroupSize, Beta = Beta + g * GroupSize, Mean = mean, InvStd = invStd,
                };
                Vectorized.For<Normalize, TV>(ref normalize, GroupSize);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void GroupBackward<TV>(int n, int g, int channels) where TV : unmanaged, IVector<TV>
        {
            long first = (long)n * Positions * channels + (long)g * GroupSize;
            double count = (double)Positions * GroupSize, sumDxHat = 0, sumDxHatXHat = 0;
            for (int p = 0; p < Positions; p++)
            {
                long at = first + (long)p * channels;
                var plain = new WeightedSum { DY = X + at, Gamma = Gamma + g * GroupSize };
                sumDxHat += Vectorized.Sum<WeightedSum, TV>(ref plain, GroupSize);
                var weighted = new WeightedSum { DY = X + at, Gamma = Gamma + g * GroupSize, XHat = XHat + at };
                sumDxHatXHat += Vectorized.Sum<WeightedSum, TV>(ref weighted, GroupSize);
            }
            float invStd = InvStd[(long)n * Groups + g];
            float a = (float)(sumDxHat / count), b = (float)(sumDxHatXHat / count);
            for (int p = 0; p < Positions; p++)
            {
                long at = first + (long)p * channels;
                var gradient = new InputGradient
                {
                    DY = X + at, XHat = XHat + at, DX = Output + at, Gamma = Gamma + g * GroupSize, InvStd = invStd, A = a, B = b,
                };
                Vectorized.For<InputGradient, TV>(ref gradient, GroupSize);
            }
        }
    }

    /// <summary>x̂ = (x − mean)·invStd (stored unless XHat is null), y = γ·x̂ + β along one run of a group's channels.</summary>
    private unsafe struct Normalize : IVectorBody
    {
        public float* X, XHat, Y, Gamma, Beta;
        public float Mean, InvStd;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint j) where TV : unmanaged, IVector<TV>
        {
            var xHat = (TV.Load(X + j) - TV.Create(Mean)) * TV.Create(InvStd);
            if (XHat != null) TV.Store(xHat, XHat + j);
            TV.Store(TV.MultiplyAdd(TV.Load(Gamma + j), xHat, TV.Load(Beta + j)), Y + j);
        }
    }

    /// <summary>Σ γ·dy (XHat null) or Σ γ·dy·x̂ along one run, in double.</summary>
    private unsafe struct WeightedSum : IWideReduction
    {
        public float* DY, Gamma, XHat;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly TW Accumulate<TV, TW>(nint j, TW sum) where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
        {
            TW dxHat = TV.Widen(TV.Load(Gamma + j)) * TV.Widen(TV.Load(DY + j));
            return XHat == null ? sum + dxHat : TW.MultiplyAdd(dxHat, TV.Widen(TV.Load(XHat + j)), sum);
        }
    }

    /// <summary>dx = invStd·(γ·dy − (A + x̂·B)) along one run, with A = Σdx̂/M and B = Σdx̂·x̂/M of the group.</summary>
    private unsafe struct InputGradient : IVectorBody
    {
        public float* DY, XHat, DX, Gamma;
        public float InvStd, A, B;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint j) where TV : unmanaged, IVector<TV>
        {
            var correction = TV.MultiplyAdd(TV.Load(XHat + j), TV.Create(B), TV.Create(A));
            TV.Store((TV.Load(Gamma + j) * TV.Load(DY + j) - correction) * TV.Create(InvStd), DX + j);
        }
    }
}
