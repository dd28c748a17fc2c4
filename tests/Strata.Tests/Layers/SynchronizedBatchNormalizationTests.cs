using Strata.Distributed;
using Strata.Layers;
using Strata.Tests.GradientCheck;
using static Strata.Tests.Layers.LayerNormalizationTests;

namespace Strata.Tests.Layers;

/// <summary>BatchNormalization with statistics synchronized over the ranks of an <see cref="InProcessCommunicator"/>.</summary>
public class SynchronizedBatchNormalizationTests
{
    private static BatchNormalization Built(Shape input, int axis = -1, bool renorm = false, bool? synchronized = null)
    {
        var bn = new BatchNormalization(axis, momentum: 0.8f, renorm: renorm, synchronized: synchronized);
        bn.Build(input, new Random(1));
        GradientChecker.Random(bn.Gamma!.Shape, seed: 2).Span.CopyTo(bn.Gamma.Value);
        GradientChecker.Random(bn.Beta!.Shape, seed: 3).Span.CopyTo(bn.Beta.Value);
        return bn;
    }

    private sealed record Pass(float[] Y, float[] DX, float[] DGamma, float[] DBeta, float[] MovingMean, float[] MovingVariance);

    private static Pass Train(BatchNormalization bn, Tensor x, Tensor dy)
    {
        var y = bn.Forward(x, training: true).Span.ToArray();
        var dx = bn.Backward(dy).Span.ToArray();
        return new Pass(y, dx, bn.Gamma!.Gradient.ToArray(), bn.Beta!.Gradient.ToArray(), bn.MovingMean.Value.ToArray(), bn.MovingVariance.Value.ToArray());
    }

    private static Tensor Rows(Tensor t, int first, int count)
    {
        int perSample = t.Shape.Size / t.Shape[0];
        return new Tensor(t.Shape.WithoutBatch().WithBatch(count), t.Span.Slice(first * perSample, count * perSample).ToArray());
    }

    /// <summary>One process on the whole batch against one rank per shard, on consecutive shards of it.</summary>
    private static void SameAsOneProcess(Shape input, int[] shards, int axis = -1, bool renorm = false)
    {
        int batch = shards.Sum();
        var x = GradientChecker.Random(input.WithBatch(batch), seed: 4, scale: 2f);
        for (int i = 0; i < x.Span.Length; i++) x.Span[i] += 1.5f; // an offset, so that Σx² − n·μ² is tested
        var dy = GradientChecker.Random(x.Shape, seed: 5);
        var whole = Train(Built(input, axis, renorm), x, dy);

        var passes = InProcessCommunicator.Run(shards.Length, comm =>
        {
            var bn = Built(input, axis, renorm);
            bn.Communicator = comm;
            int first = shards.Take(comm.Rank).Sum();
            return Train(bn, Rows(x, first, shards[comm.Rank]), Rows(dy, first, shards[comm.Rank]));
        });

        // Outputs and input gradients: each rank's rows of the whole batch's; parameter gradients: summed over ranks;
        // moving statistics: the whole batch's, on every rank.
        Near(whole.Y, passes.SelectMany(p => p.Y).ToArray(), 1e-5);
        Near(whole.DX, passes.SelectMany(p => p.DX).ToArray(), 1e-5);
        Near(whole.DGamma, Summed(passes.Select(p => p.DGamma)), 1e-5);
        Near(whole.DBeta, Summed(passes.Select(p => p.DBeta)), 1e-5);
        foreach (var p in passes)
        {
            Near(whole.MovingMean, p.MovingMean, 1e-5);
            Near(whole.MovingVariance, p.MovingVariance, 1e-5);
            Assert.Equal(passes[0].MovingMean, p.MovingMean); // bit for bit: the ranks never drift apart
            Assert.Equal(passes[0].MovingVariance, p.MovingVariance);
        }
    }

    private static float[] Summed(IEnumerable<float[]> parts)
    {
        var list = parts.ToList();
        return [.. Enumerable.Range(0, list[0].Length).Select(i => list.Sum(p => p[i]))];
    }

    [Fact]
    public void Dense_features_on_two_ranks_equal_one_process_on_the_whole_batch() => SameAsOneProcess(new Shape(5), [8, 8]);

    [Fact]
    public void Conv2D_channels_on_two_ranks_equal_one_process_on_the_whole_batch() => SameAsOneProcess(new Shape(4, 3, 6), [3, 3]);

    [Fact]
    public void A_middle_feature_axis_three_uneven_ranks_and_renorm() =>
        SameAsOneProcess(new Shape(4, 3, 2), [2, 3, 1], axis: 1, renorm: true);

    [Fact]
    public void Per_rank_statistics_differ_from_the_whole_batch()
    {
        // The same run with each rank on its own statistics: the test above can fail.
        var input = new Shape(5);
        var x = GradientChecker.Random(input.WithBatch(8), seed: 4, scale: 2f);
        var whole = Built(input).Forward(x, training: true).Span.ToArray();
        var local = InProcessCommunicator.Run(2, comm => Built(input).Forward(Rows(x, 4 * comm.Rank, 4), training: true).Span.ToArray());
        Assert.True(whole.Zip(local.SelectMany(y => y)).Max(p => Math.Abs(p.First - p.Second)) > 1e-2);
    }

    [Fact]
    public void Inference_makes_no_collective_call()
    {
        // Rank 1 alone runs inference: it must not wait for rank 0, which makes no call at all.
        InProcessCommunicator.Run(2, comm =>
        {
            var bn = Built(new Shape(3));
            bn.Communicator = comm;
            if (comm.Rank == 1) bn.Forward(GradientChecker.Random(new Shape(4, 3), seed: 1), training: false);
            return 0;
        }, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void A_global_batch_of_one_value_is_refused_naming_the_ranks()
    {
        var error = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(1, comm =>
        {
            var bn = Built(new Shape(3));
            bn.Communicator = comm;
            return bn.Forward(GradientChecker.Random(new Shape(1, 3), seed: 1), training: true);
        }));
        Assert.Matches(@"one value per feature .* over the 1 ranks", error.InnerExceptions[0].Message);
    }

    [Fact]
    public void Synchronized_with_ghost_batches_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new BatchNormalization(synchronized: true, virtualBatchSize: 4));
        Assert.Contains("choose one (synchronized or virtualBatchSize)", error.Message);
        Assert.True(new BatchNormalization().SynchronizesWhenDistributed);
        Assert.False(new BatchNormalization(virtualBatchSize: 4).SynchronizesWhenDistributed);
        Assert.False(new BatchNormalization(synchronized: false).SynchronizesWhenDistributed);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [InlineData(null)]
    public void The_setting_goes_through_the_configuration(bool? synchronized)
    {
        var model = new Sequential(new Dense(3, inputShape: [2]), new BatchNormalization(synchronized: synchronized));
        model.Build(new Shape(2));
        string json = model.ToConfig();
        Assert.Equal(synchronized is not null, json.Contains("\"synchronized\"", StringComparison.Ordinal)); // written only when said
        var copy = Sequential.FromConfig(json);
        Assert.Equal(synchronized, Assert.IsType<BatchNormalization>(copy.Layers[^1]).Synchronized);
    }
}
