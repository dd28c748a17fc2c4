using Strata.Experiments;
using Strata.Layers;

namespace Strata.Tests.Experiments;

/// <summary>The residual experiment run from code on tiny settings, and its networks checked against their definition.</summary>
public sealed class ResidualExperimentTests
{
    private static readonly Lazy<(ResidualResult Result, List<ExperimentProgress<ResidualRun>> Reported)> s_run = new(() =>
    {
        var (train, test) = TinyExperiments.FashionMnist();
        var reported = new List<ExperimentProgress<ResidualRun>>();
        var result = ResidualExperiment.Run(TinyExperiments.Residual, train, test, new ListProgress<ExperimentProgress<ResidualRun>>(reported));
        return (result, reported);
    });

    [Fact]
    public void Run_returns_every_variant_with_its_evaluations_and_block_norms()
    {
        var (result, reported) = s_run.Value;
        var plan = ResidualExperiment.Plan(TinyExperiments.Residual);

        Assert.Equal([ResidualVariant.BatchNorm, ResidualVariant.NoNormalization, ResidualVariant.Fixup], plan.Select(p => p.Variant));
        Assert.Equal(plan, result.Runs.Select(r => r.Spec));
        Assert.Equal(Enumerable.Range(1, plan.Count), reported.Select(p => p.Done));
        Assert.All(result.Runs, r => Assert.Equal([0, 3, 6], r.Checkpoints.Select(c => c.Step)));
        Assert.All(result.Runs, r => Assert.Equal(3, r.BlockGradientNorms.Count));
        Assert.Equal((240, 40), (result.TrainCount, result.TestCount));
        Assert.Contains("‖g‖ first block", result.SummaryTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void Fixup_starts_as_a_uniform_classifier_with_no_gradient_in_any_block()
    {
        // The classifier's kernel and bias are zero: every logit is 0, the loss is ln 10 whatever the input, and no
        // gradient reaches the blocks below it.
        var fixup = s_run.Value.Result.Of(ResidualVariant.Fixup).Single();
        Assert.Equal(Math.Log(10), fixup.InitialLoss, 5);
        Assert.All(fixup.BlockGradientNorms, n => Assert.Equal(0, n));
        var others = s_run.Value.Result.Runs.Where(r => r.Spec.Variant != ResidualVariant.Fixup);
        Assert.All(others, r => Assert.All(r.BlockGradientNorms, n => Assert.True(n > 0, $"{r.Spec.Label}: {n}")));
    }

    [Fact]
    public void Block_norms_split_the_global_norm_by_block_name_without_mixing_block1_and_block10()
    {
        const int Blocks = 11;
        var model = ResidualNetwork.Create(ResidualVariant.NoNormalization, Blocks, seed: 4);
        model.Compile(new Strata.Optimizers.Sgd(0.01f), Losses.SparseCategoricalCrossentropy);
        var (train, _) = TinyExperiments.FashionMnist();
        var batch = train.Split(8).First;
        var gradients = model.ComputeGradients(batch.Images, batch.Labels);

        var norms = ResidualExperiment.BlockNorms(gradients, Blocks);

        // Each block's two kernels and two biases, by hand; block 1's must not take in block 10's or 11's.
        for (int b = 1; b <= Blocks; b++)
        {
            double expected = 0;
            for (int w = 0; w < gradients.Count; w++)
            {
                string layer = gradients.Weights[w].Name.Split('/')[0];
                if (layer == $"block{b}_1_conv" || layer == $"block{b}_2_conv")
                    foreach (float g in gradients[w]) expected += (double)g * g;
            }
            Assert.Equal(Math.Sqrt(expected), norms[b - 1], 10);
        }
    }

    [Theory]
    [InlineData(ResidualVariant.BatchNorm, 7, 0, 0)]
    [InlineData(ResidualVariant.NoNormalization, 0, 0, 0)]
    [InlineData(ResidualVariant.Fixup, 0, 3, 3 * 4 + 2)]
    public void Each_variant_has_the_normalization_it_names(ResidualVariant variant, int batchNorms, int scales, int scalarBiases)
    {
        var model = ResidualNetwork.Create(variant, blocks: 3, seed: 1);
        Assert.Equal(batchNorms, model.Layers.OfType<BatchNormalization>().Count()); // the stem's and two per block
        Assert.Equal(scales, model.Layers.OfType<ScalarScale>().Count());
        Assert.Equal(scalarBiases, model.Layers.OfType<ScalarBias>().Count()); // four per block, the stem's, the classifier's
        var convs = model.Layers.OfType<Conv2D>().ToList();
        Assert.Equal(7, convs.Count);
        Assert.All(convs, c => Assert.Equal(variant == ResidualVariant.NoNormalization, c.UseBias));
        Assert.Equal([10], model.OutputShape.Dims.ToArray());
    }
}
