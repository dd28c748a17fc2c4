using Strata.Layers;
using Strata.Tests.GradientCheck;
using static Strata.Tests.Layers.LayerNormalizationTests;

namespace Strata.Tests.Layers;

/// <summary>BatchNormalization(virtualBatchSize: V): ghost batches in training only.</summary>
public class GhostBatchNormalizationTests
{
    private static BatchNormalization Built(Shape input, int? virtualBatchSize, int seed = 1)
    {
        var bn = new BatchNormalization(momentum: 0.8f, virtualBatchSize: virtualBatchSize);
        bn.Build(input, new Random(seed));
        GradientChecker.Random(bn.Gamma!.Shape, seed: 2).Span.CopyTo(bn.Gamma.Value);
        GradientChecker.Random(bn.Beta!.Shape, seed: 3).Span.CopyTo(bn.Beta.Value);
        return bn;
    }

    [Theory]
    [InlineData(6, 2, new[] { 2, 2, 2 })]
    [InlineData(7, 3, new[] { 3, 4 })]     // the last ghost batch takes the remainder
    [InlineData(3, 4, new[] { 3 })]        // a batch smaller than V is one ghost batch
    public void Each_ghost_batch_is_normalized_with_its_own_statistics(int batch, int virtualBatchSize, int[] ghosts)
    {
        var input = new Shape(2, 3);
        var ghost = Built(input, virtualBatchSize);
        var x = GradientChecker.Random(new Shape(batch, 2, 3), seed: 4, scale: 2f);
        var dy = GradientChecker.Random(x.Shape, seed: 5);
        var y = ghost.Forward(x, training: true).Span.ToArray();
        var dx = ghost.Backward(dy).Span.ToArray();

        // The same as plain Batch Normalization on each ghost batch, the parameter gradients summed over them;
        // the moving statistics follow the ghosts' means and variances averaged.
        var plain = Built(input, null);
        var dGamma = new float[3];
        var means = new List<float[]>();
        var variances = new List<float[]>();
        int first = 0, perSample = 6;
        foreach (int size in ghosts)
        {
            var slice = new Tensor(new Shape(size, 2, 3), x.Span.Slice(first * perSample, size * perSample).ToArray());
            plain.MovingMean.Value.Clear();
            plain.MovingVariance.Value.Clear();
            plain.Gamma!.Gradient.Clear();
            Near(plain.Forward(slice, training: true).Span.ToArray(), y.AsSpan(first * perSample, size * perSample), 1e-5);
            var ghostDy = new Tensor(slice.Shape, dy.Span.Slice(first * perSample, size * perSample).ToArray());
            Near(plain.Backward(ghostDy).Span.ToArray(), dx.AsSpan(first * perSample, size * perSample), 1e-5);
            for (int f = 0; f < 3; f++) dGamma[f] += plain.Gamma.Gradient[f];
            // From zero, moving ← batch·(1 − momentum): the batch statistics scaled by 0.2.
            means.Add([.. plain.MovingMean.Value.ToArray().Select(v => v / 0.2f)]);
            variances.Add([.. plain.MovingVariance.Value.ToArray().Select(v => v / 0.2f)]);
            first += size;
        }
        Near(dGamma, ghost.Gamma!.Gradient, 1e-5);
        Near([.. Enumerable.Range(0, 3).Select(f => 0.2f * means.Average(m => m[f]))], ghost.MovingMean.Value, 1e-5);
        Near([.. Enumerable.Range(0, 3).Select(f => 0.8f + 0.2f * variances.Average(v => v[f]))], ghost.MovingVariance.Value, 1e-5);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(64)]
    public void Inference_uses_the_moving_statistics_whatever_the_batch_size(int batch)
    {
        var ghost = Built(new Shape(4), virtualBatchSize: 4);
        var plain = Built(new Shape(4), null);
        var x = GradientChecker.Random(new Shape(batch, 4), seed: 6, scale: 2f);
        Assert.Equal(plain.Forward(x, training: false).Span.ToArray(), ghost.Forward(x, training: false).Span.ToArray());
    }

    [Theory]
    [InlineData(6, 2)]
    [InlineData(7, 3)]
    public void Gradients_match_finite_differences(int batch, int virtualBatchSize)
    {
        var bn = Built(new Shape(2, 3), virtualBatchSize);
        GradientChecker.Check(bn, GradientChecker.Random(new Shape(batch, 2, 3), seed: 7, scale: 2f));
    }

    [Fact]
    public void A_ghost_batch_with_one_value_per_feature_is_refused_and_a_bad_size_too()
    {
        var bn = Built(new Shape(3), virtualBatchSize: 1);
        var e = Assert.Throws<ArgumentException>(() => bn.Forward(new Tensor(new Shape(4, 3)), training: true));
        Assert.Contains("ghost batches of 1", e.Message);
        Built(new Shape(2, 3), virtualBatchSize: 1).Forward(new Tensor(new Shape(4, 2, 3)), training: true); // 2 values per feature
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization(virtualBatchSize: 0));
    }
}
