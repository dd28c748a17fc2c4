using Strata.Kernels;
using Strata.Kernels.Parallel;
using Strata.Kernels.Reference;
using Strata.Tests.GradientCheck;
using Strata.Tests.Kernels.Simd;

namespace Strata.Tests.Kernels;

/// <summary>The fused BatchNorm kernels at every width against the paper's equations in double, on many layouts.</summary>
public class BatchNormKernelsTests
{
    public static TheoryData<int, int, int, int> Layouts()
    {
        var data = new TheoryData<int, int, int, int>();
        (int, int, int)[] layouts =
        [
            (2, 1, 1), (5, 3, 1), (32, 300, 1), (7, 17, 1), (4, 33, 1), (3, 49, 1), (3, 5, 7), (2, 1, 9), (2, 3, 37),
            (3000, 40, 1), (4500, 64, 1), // several row chunks on the worker pool
        ];
        foreach (int lanes in new[] { 1, 4, 8, 16 })
        {
            foreach (var (outer, c, inner) in layouts)
                data.Add(lanes, outer, c, inner);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Partial_sums_for_synchronized_statistics_match_the_reference(int lanes, int outer, int c, int inner)
    {
        using var forced = Widths.Force(lanes);
        var x = GradientChecker.Random(new Shape(outer * c * inner), seed: outer + c, scale: 3f).Span.ToArray();
        for (int i = 0; i < x.Length; i++) x[i] += 2f;
        var dy = GradientChecker.Random(new Shape(x.Length), seed: 4).Span.ToArray();
        double[] refSum = new double[c], refSquares = new double[c], sum = new double[c], squares = new double[c];
        ReferenceBatchNormKernels.Sums(x, outer, c, inner, refSum, refSquares);
        var acc = new double[BatchNormKernels.ScratchLength(outer, c, inner)];
        BatchNormKernels.Sums(x, outer, c, inner, acc, sum, squares);
        for (int f = 0; f < c; f++)
        {
            Assert.Equal(refSum[f], sum[f], 1e-9 * (1 + Math.Abs(refSum[f])));
            Assert.Equal(refSquares[f], squares[f], 1e-9 * refSquares[f]);
        }

        // The moments from the sums are the two-pass moments; the double backward sums are the float ones unrounded.
        float[] mean = new float[c], variance = new float[c], fromSums = new float[c], varianceFromSums = new float[c];
        BatchNormKernels.Moments(x, outer, c, inner, acc, mean, variance);
        BatchNormChannelKernels.MomentsFromSums(sum, squares, (double)outer * inner, fromSums, varianceFromSums);
        Close(mean, fromSums, 1e-6);
        Close(variance, varianceFromSums, 1e-5);
        float[] sumDy = new float[c], sumDyXc = new float[c], asFloat = new float[c];
        double[] sumDyD = new double[c], sumDyXcD = new double[c];
        BatchNormKernels.BackwardSums(x, dy, mean, outer, c, inner, acc, sumDy, sumDyXc);
        BatchNormKernels.BackwardSumsInDouble(x, dy, mean, outer, c, inner, acc, sumDyD, sumDyXcD);
        BatchNormChannelKernels.ToSingle(sumDyD, asFloat);
        Assert.Equal(sumDy, asFloat);
        BatchNormChannelKernels.ToSingle(sumDyXcD, asFloat);
        Assert.Equal(sumDyXc, asFloat);
    }

    [Fact]
    public void Moments_from_sums_never_give_a_negative_variance()
    {
        // A constant feature: Σx²/n − μ² rounds to about ±1e-16·μ², floored at 0.
        float[] mean = new float[1], variance = new float[1];
        BatchNormChannelKernels.MomentsFromSums([3 * 0.1], [3 * 0.1 * 0.1 * (1 - 1e-15)], 3, mean, variance);
        Assert.Equal(0.1f, mean[0]);
        Assert.Equal(0f, variance[0]);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Forward_and_backward_match_the_reference(int lanes, int outer, int c, int inner)
    {
        using var forced = Widths.Force(lanes);
        var x = GradientChecker.Random(new Shape(outer * c * inner), seed: outer * 100 + c, scale: 3f).Span.ToArray();
        for (int i = 0; i < x.Length; i++) x[i] += 5f; // an offset, so the mean matters
        var dy = GradientChecker.Random(new Shape(x.Length), seed: 1).Span.ToArray();
        var gamma = GradientChecker.Random(new Shape(c), seed: 2).Span.ToArray();
        var beta = GradientChecker.Random(new Shape(c), seed: 3).Span.ToArray();
        const float eps = 1e-3f;

        float[] refMean = new float[c], refVar = new float[c], refY = new float[x.Length];
        ReferenceBatchNormKernels.ForwardTraining(x, gamma, beta, outer, c, inner, eps, refMean, refVar, refY);
        float[] refDx = new float[x.Length], refDGamma = new float[c], refDBeta = new float[c];
        ReferenceBatchNormKernels.Backward(x, dy, gamma, outer, c, inner, eps, refDx, refDGamma, refDBeta);

        var acc = new double[BatchNormKernels.ScratchLength(outer, c, inner)];
        float[] mean = new float[c], variance = new float[c];
        BatchNormKernels.Moments(x, outer, c, inner, acc, mean, variance);
        Close(refMean, mean);
        Close(refVar, variance);

        float[] invStd = variance.Select(v => 1f / MathF.Sqrt(v + eps)).ToArray();
        float[] scale = gamma.Select((g, f) => g * invStd[f]).ToArray();
        float[] shift = beta.Select((b, f) => b - mean[f] * scale[f]).ToArray();
        var y = new float[x.Length];
        BatchNormKernels.Affine(x, scale, shift, outer, c, inner, y);
        Close(refY, y);

        float[] sumDy = new float[c], sumDyXc = new float[c];
        BatchNormKernels.BackwardSums(x, dy, mean, outer, c, inner, acc, sumDy, sumDyXc);
        Close(refDBeta, sumDy);
        Close(refDGamma, sumDyXc.Select((s, f) => s * invStd[f]).ToArray());

        float[] k = new float[c], m = new float[c], b = new float[c];
        BatchNormChannelKernels.BackwardCoefficients(gamma, invStd, mean, sumDy, sumDyXc, outer * inner, k, m, b);
        var dx = new float[x.Length];
        BatchNormKernels.BackwardInput(x, dy, k, m, b, outer, c, inner, dx);
        Close(refDx, dx, 2e-4);
    }

    [Theory]
    [InlineData(1, 37, 2900f)]
    [InlineData(4, 37, 2900f)]
    [InlineData(8, 37, 2900f)]
    [InlineData(16, 37, 2900f)]
    [InlineData(8, 1000, 1e4f)]
    [InlineData(16, 1000, 1e4f)]
    public void Statistics_survive_an_outlier_as_the_first_row(int lanes, int outer, float outlier)
    {
        // The channels-last pass shifts by the first row, here an outlier on an offset of 1e3. With 37 rows the shift
        // lies about 6 standard deviations from the mean (the one pass holds); with 1000 rows about 30, past the 10 the
        // one pass allows, so the two passes run instead. Both must give the reference statistics.
        using var forced = Widths.Force(lanes);
        const int c = 19;
        var x = new float[outer * c];
        var random = new Random(5);
        for (int i = 0; i < x.Length; i++) x[i] = 1000f + (float)random.NextDouble();
        for (int f = 0; f < c; f++) x[f] = 1000f + outlier * (f % 2 == 0 ? 1 : -1);
        for (int r = 0; r < outer; r++) x[r * c + 3] = 7.25f; // a constant channel
        float[] mean = new float[c], variance = new float[c], refMean = new float[c], refVariance = new float[c];
        BatchNormKernels.Moments(x, outer, c, 1, new double[BatchNormKernels.ScratchLength(outer, c, 1)], mean, variance);
        ReferenceBatchNormKernels.ForwardTraining(x, new float[c], new float[c], outer, c, 1, 1e-3f, refMean, refVariance, new float[x.Length]);
        for (int f = 0; f < c; f++)
        {
            Assert.Equal(refMean[f], mean[f], Math.Abs(refMean[f]) * 1.2e-7f);
            Assert.Equal(refVariance[f], variance[f], refVariance[f] * 2e-7f);
        }
        Assert.Equal(0f, variance[3]);
    }

    [Fact]
    public void Statistics_survive_a_large_offset()
    {
        // E[x²] − E[x]² would lose every digit here: the values are 1e4 + {1, 2, 3, 4}.
        float[] x = [10001, 10002, 10003, 10004];
        float[] mean = new float[1], variance = new float[1];
        BatchNormKernels.Moments(x, 4, 1, 1, new double[BatchNormKernels.ScratchLength(4, 1, 1)], mean, variance);
        Assert.Equal(10002.5f, mean[0]);
        Assert.Equal(1.25f, variance[0], 5);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Moment_sums_pooled_over_batches_give_the_population_statistics(int lanes, int outer, int c, int inner)
    {
        using var forced = Widths.Force(lanes);
        var x = GradientChecker.Random(new Shape(outer * c * inner), seed: outer + 7 * c, scale: 2f).Span.ToArray();
        for (int i = 0; i < x.Length; i++) x[i] += 100f + i % 5; // an offset far above the spread
        float[] refMean = new float[c], refVar = new float[c], refY = new float[x.Length];
        ReferenceBatchNormKernels.ForwardTraining(x, new float[c], new float[c], outer, c, inner, 1e-3f, refMean, refVar, refY);

        // The rows split into uneven batches, each summed by the kernel and pooled.
        double count = 0;
        double[] mean = new double[c], m2 = new double[c], sum = new double[c], sq = new double[c];
        float[] shift = new float[c];
        var acc = new double[BatchNormKernels.ScratchLength(outer, c, inner)];
        int rowSize = c * inner;
        for (int a = 0, rows = 1; a < outer; a += rows, rows = rows * 2 + 1)
        {
            int take = Math.Min(rows, outer - a);
            BatchNormKernels.MomentSums(x.AsSpan(a * rowSize, take * rowSize), take, c, inner, acc, shift, sum, sq);
            BatchNormChannelKernels.PoolMoments((double)take * inner, shift, sum, sq, count, mean, m2);
            count += (double)take * inner;
        }
        float[] pooledMean = new float[c], pooledVar = new float[c];
        BatchNormChannelKernels.PopulationMoments(mean, m2, count, pooledMean, pooledVar);
        Close(refMean, pooledMean, 1e-7);
        Close(refVar, pooledVar, 1e-6);
    }

    [Fact]
    public void Pooled_moments_survive_a_large_offset()
    {
        // Two batches of 1e4 + {1, 2} and 1e4 + {3, 4}: the population variance is 1.25.
        float[] shift = new float[1];
        double[] sum = new double[1], sq = new double[1], mean = new double[1], m2 = new double[1];
        var acc = new double[BatchNormKernels.ScratchLength(2, 1, 1)];
        BatchNormKernels.MomentSums([10001, 10002], 2, 1, 1, acc, shift, sum, sq);
        BatchNormChannelKernels.PoolMoments(2, shift, sum, sq, 0, mean, m2);
        BatchNormKernels.MomentSums([10003, 10004], 2, 1, 1, acc, shift, sum, sq);
        BatchNormChannelKernels.PoolMoments(2, shift, sum, sq, 2, mean, m2);
        Assert.Equal(10002.5, mean[0], 12);
        Assert.Equal(1.25, m2[0] / 4, 12);
    }

    internal static void Close(float[] expected, float[] actual, double tolerance = 2e-5)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]}, got {actual[i]}");
    }
}

/// <summary>Changes <see cref="WorkerPool.ThreadCount"/>, so it runs alone with the other such tests.</summary>
[Collection(nameof(WorkerPoolSettings))]
public class BatchNormKernelsThreadingTests
{
    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        const int outer = 6000, c = 48; // three row chunks
        var x = GradientChecker.Random(new Shape(outer * c), seed: 21).Span.ToArray();
        var dy = GradientChecker.Random(new Shape(outer * c), seed: 22).Span.ToArray();
        float[] Run(int threads)
        {
            int saved = WorkerPool.ThreadCount;
            WorkerPool.ThreadCount = threads;
            try
            {
                var acc = new double[BatchNormKernels.ScratchLength(outer, c, 1)];
                float[] mean = new float[c], variance = new float[c], sumDy = new float[c], sumDyXc = new float[c];
                BatchNormKernels.Moments(x, outer, c, 1, acc, mean, variance);
                BatchNormKernels.BackwardSums(x, dy, mean, outer, c, 1, acc, sumDy, sumDyXc);
                var dx = new float[x.Length];
                BatchNormKernels.BackwardInput(x, dy, variance, sumDy, sumDyXc, outer, c, 1, dx);
                return [.. mean, .. variance, .. sumDy, .. sumDyXc, .. dx];
            }
            finally
            {
                WorkerPool.ThreadCount = saved;
            }
        }
        Assert.Equal(Run(1), Run(2));
    }
}
