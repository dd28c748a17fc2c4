using Strata.Experiments;
using Strata.Layers;

namespace Strata.Tests.Experiments;

/// <summary>The transfer experiment run from code on tiny settings, and the way model B is made from model A.</summary>
public sealed class TransferExperimentTests
{
    private static readonly Lazy<(TransferResult Result, List<ExperimentProgress<TransferRun>> Reported)> s_run = new(() =>
    {
        var (train, test) = TinyExperiments.FashionMnist();
        var reported = new List<ExperimentProgress<TransferRun>>();
        var result = TransferExperiment.Run(TinyExperiments.Transfer, train, test, new ListProgress<ExperimentProgress<TransferRun>>(reported));
        return (result, reported);
    });

    [Fact]
    public void Run_trains_both_models_A_and_every_model_B_of_the_plan()
    {
        var (result, reported) = s_run.Value;
        var plan = TransferExperiment.Plan(TinyExperiments.Transfer);

        Assert.Equal(8, plan.Count); // 2 networks × 2 seeds × 2 starts
        Assert.Equal(plan, result.Runs.Select(r => r.Spec));
        Assert.Equal(Enumerable.Range(1, plan.Count), reported.Select(p => p.Done));
        Assert.Equal([false, true], result.Sources.Select(s => s.BatchNorm));
        Assert.All(result.Sources, s => Assert.InRange(s.TestAccuracy, 0, 1));
        // 8 of the 10 classes of the 240 images train A; the 12 sandal and shirt images of the 60 test images measure B.
        Assert.Equal((192, 12), (result.SourceTrainCount, result.TargetTestCount));
        Assert.All(result.Runs, r => Assert.Equal(0, r.TestError * 12 % 1, 6)); // a whole number of the 12 images
        Assert.Contains("scratch ÷ reused", result.SummaryTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_reused_model_B_trains_its_head_on_cached_features_while_frozen_and_one_from_scratch_never()
    {
        // 20 images in batches of 8: 3 steps an epoch, 1 epoch frozen.
        Assert.All(s_run.Value.Result.Runs, r => Assert.Equal(r.Spec.Reused ? 3 : 0, r.StepsOnCachedFeatures));
    }

    [Fact]
    public void Model_B_is_built_from_a_copy_of_A_so_training_it_leaves_A_as_it_was()
    {
        var a = TransferNetwork.Source(batchNorm: true, seed: 1);
        a.Build(Presets.FashionMnistShape);
        var before = a.Layers.SelectMany(l => l.Weights).Select(w => w.Value.ToArray()).ToList();
        var b = TransferNetwork.Reused(a, seed: 2);

        Assert.Equal(a.Layers.Count, b.Layers.Count);
        Assert.All(a.Layers.Zip(b.Layers).SkipLast(1), p => Assert.Equal(p.First.Weights.Select(w => w.Value.ToArray()), p.Second.Weights.Select(w => w.Value.ToArray())));
        Assert.Equal(1, ((Dense)b.Layers[^1]).Units);
        var (train, _) = TinyExperiments.FashionMnist();
        var pair = train.OfClasses(TransferExperiment.Sandal, TransferExperiment.Shirt);
        b.Compile(new Strata.Optimizers.Sgd(0.1f), Losses.BinaryCrossentropy());
        b.Fit(pair.Images, pair.Labels, epochs: 1, batchSize: 8, verbose: 0);
        Assert.Equal(before, a.Layers.SelectMany(l => l.Weights).Select(w => w.Value.ToArray()));
        Assert.NotEqual(before[0], b.Layers.OfType<BatchNormalization>().First().Weights[0].Value.ToArray());
    }

    [Fact]
    public void The_networks_have_the_texts_layers_with_batch_normalization_only_in_the_bn_variant()
    {
        var plain = TransferNetwork.Source(batchNorm: false, seed: 1);
        var bn = TransferNetwork.Source(batchNorm: true, seed: 1);
        Assert.Equal([300, 100, 50, 50, 50, 8], plain.Layers.OfType<Dense>().Select(d => d.Units));
        Assert.Empty(plain.Layers.OfType<BatchNormalization>());
        Assert.Equal(6, bn.Layers.OfType<BatchNormalization>().Count()); // after Flatten and each hidden Dense
        Assert.Equal("sigmoid", ((Dense)TransferNetwork.Scratch(batchNorm: false, seed: 1).Layers[^1]).Activation.Name);
    }
}
