using Strata.Kernels;
using Strata.Kernels.Parallel;
using Strata.Kernels.Reference;
using Strata.Tests.GradientCheck;
using Strata.Tests.Kernels.Simd;

namespace Strata.Tests.Kernels;

/// <summary>The per-sample normalization kernels at every width against the equations in double, on many layouts.</summary>
public class GroupNormKernelsTests
{
    private static void Close(float[] expected, float[] actual, double tolerance = 2e-5) => BatchNormKernelsTests.Close(expected, actual, tolerance);

    public static TheoryData<int, int, int, int, int> Layouts()
    {
        var data = new TheoryData<int, int, int, int, int>();
        (int, int, int, int)[] layouts =
        [
            (1, 1, 1, 1), (3, 1, 1, 2), (4, 1, 1, 17), (2, 1, 1, 33), (5, 1, 1, 300), // layer normalization rows
            (2, 9, 4, 2), (3, 6, 2, 5), (2, 4, 1, 7), (2, 5, 8, 1), (1, 7, 3, 16), (2, 3, 2, 37), // groups of images
            (200, 1, 1, 1024), (3, 4096, 2, 16), // several chunks on the worker pool
        ];
        foreach (int lanes in new[] { 1, 4, 8, 16 })
        {
            foreach (var (samples, positions, groups, groupSize) in layouts)
                data.Add(lanes, samples, positions, groups, groupSize);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Forward_and_backward_match_the_reference(int lanes, int samples, int positions, int groups, int groupSize)
    {
        using var forced = Widths.Force(lanes);
        int channels = groups * groupSize, length = samples * positions * channels;
        var x = GradientChecker.Random(new Shape(length), seed: samples * 100 + positions, scale: 3f).Span.ToArray();
        for (int i = 0; i < x.Length; i++) x[i] += 5f; // an offset, so the mean matters
        var dy = GradientChecker.Random(new Shape(length), seed: 1).Span.ToArray();
        var gamma = GradientChecker.Random(new Shape(channels), seed: 2).Span.ToArray();
        var beta = GradientChecker.Random(new Shape(channels), seed: 3).Span.ToArray();
        const float eps = 1e-3f;

        var refY = new float[length];
        ReferenceGroupNormKernels.Forward(x, samples, positions, groups, groupSize, gamma, beta, eps, refY);
        float[] refDx = new float[length], refDGamma = new float[channels], refDBeta = new float[channels];
        ReferenceGroupNormKernels.Backward(x, dy, samples, positions, groups, groupSize, gamma, eps, refDx, refDGamma, refDBeta);

        float[] y = new float[length], xHat = new float[length], invStd = new float[samples * groups];
        GroupNormKernels.Forward(x, samples, positions, groups, groupSize, gamma, beta, eps, invStd, xHat, y);
        Close(refY, y);

        var dx = new float[length];
        GroupNormKernels.BackwardInput(xHat, dy, samples, positions, groups, groupSize, gamma, invStd, dx);
        Close(refDx, dx, 2e-4);

        // The parameter gradients are BatchNorm's column sums of dy and dy·x̂.
        int rows = samples * positions;
        float[] sumDy = new float[channels], sumDyXHat = new float[channels];
        BatchNormKernels.BackwardSums(xHat, dy, new float[channels], rows, channels, 1,
            new double[BatchNormKernels.ScratchLength(rows, channels, 1)], sumDy, sumDyXHat);
        Close(refDBeta, sumDy);
        Close(refDGamma, sumDyXHat, 1e-4);
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Rows_of_every_awkward_width_match_the_reference(int lanes)
    {
        // Layer normalization's rows, and a run of each length in the groups of an image.
        foreach (int width in Widths.AwkwardLengths.Where(w => w > 0))
        {
            Forward_and_backward_match_the_reference(lanes, 2, 1, 1, width);
            Forward_and_backward_match_the_reference(lanes, 1, 3, 2, width);
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Inference_skips_x_hat_and_may_normalize_in_place(int lanes)
    {
        using var forced = Widths.Force(lanes);
        const int samples = 3, positions = 5, groups = 2, groupSize = 7, channels = groups * groupSize;
        var x = GradientChecker.Random(new Shape(samples * positions * channels), seed: 4, scale: 2f).Span.ToArray();
        var gamma = GradientChecker.Random(new Shape(channels), seed: 5).Span.ToArray();
        var beta = GradientChecker.Random(new Shape(channels), seed: 6).Span.ToArray();
        var expected = new float[x.Length];
        GroupNormKernels.Forward(x, samples, positions, groups, groupSize, gamma, beta, 1e-3f, new float[samples * groups], new float[x.Length], expected);
        GroupNormKernels.Forward(x, samples, positions, groups, groupSize, gamma, beta, 1e-3f, new float[samples * groups], [], x);
        Assert.Equal(expected, x);
    }

    [Fact]
    public void Statistics_are_two_pass_and_survive_a_large_offset()
    {
        // E[x²] − E[x]² would lose every digit here: the values are 1e4 + {1, 2, 3, 4}.
        float[] x = [10001, 10002, 10003, 10004], y = new float[4], invStd = new float[1];
        GroupNormKernels.Forward(x, 1, 1, 1, 4, [1, 1, 1, 1], [0, 0, 0, 0], 1e-3f, invStd, [], y);
        Assert.Equal(1 / Math.Sqrt(1.25 + 1e-3), invStd[0], 5);
        Assert.Equal(-1.5 / Math.Sqrt(1.25 + 1e-3), y[0], 4);
    }

    [Fact]
    public void Mismatched_spans_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            GroupNormKernels.Forward(new float[12], 2, 2, 1, 3, new float[3], new float[3], 1e-3f, new float[1], [], new float[12]));
        Assert.Contains("statistics", e.Message);
    }
}

/// <summary>Changes <see cref="WorkerPool.ThreadCount"/>, so it runs alone with the other such tests.</summary>
[Collection(nameof(WorkerPoolSettings))]
public class GroupNormKernelsThreadingTests
{
    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        const int samples = 300, positions = 64, groups = 4, groupSize = 8, channels = groups * groupSize;
        int length = samples * positions * channels;
        var x = GradientChecker.Random(new Shape(length), seed: 21).Span.ToArray();
        var dy = GradientChecker.Random(new Shape(length), seed: 22).Span.ToArray();
        var gamma = GradientChecker.Random(new Shape(channels), seed: 23).Span.ToArray();
        float[] Run(int threads)
        {
            int saved = WorkerPool.ThreadCount;
            WorkerPool.ThreadCount = threads;
            try
            {
                float[] y = new float[length], xHat = new float[length], invStd = new float[samples * groups], dx = new float[length];
                GroupNormKernels.Forward(x, samples, positions, groups, groupSize, gamma, new float[channels], 1e-3f, invStd, xHat, y);
                GroupNormKernels.BackwardInput(xHat, dy, samples, positions, groups, groupSize, gamma, invStd, dx);
                return [.. y, .. invStd, .. dx];
            }
            finally
            {
                WorkerPool.ThreadCount = saved;
            }
        }
        Assert.Equal(Run(1), Run(2));
    }
}
