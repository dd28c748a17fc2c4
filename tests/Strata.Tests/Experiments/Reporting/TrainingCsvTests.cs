using Strata.Experiments.Reporting;
using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.Models;

namespace Strata.Tests.Experiments.Reporting;

public class TrainingCsvTests
{
    [Fact]
    public void The_per_step_csv_reads_back_the_layer_norms_before_and_after_clipping()
    {
        var (x, y) = SequentialTests.Blobs(64, seed: 1);
        var model = new Sequential(new Dense(8, inputShape: [4], name: "hidden"), new Dense(3, activation: "softmax", name: "out")) { Seed = 2 };
        model.Compile(new Sgd(0.1f, clipNorm: 0.05f), Losses.SparseCategoricalCrossentropy);
        var history = model.Fit(x, y, epochs: 2, batchSize: 16, seed: 3, verbose: 0);
        string csv = TrainingCsv.PerStep(history);
        Assert.StartsWith("epoch,step,global,hidden/kernel,hidden/bias,out/kernel,out/bias,layer:hidden,layer:out,clipped:hidden,clipped:out\n", csv, StringComparison.Ordinal);

        var (norms, global) = TrainingCsv.ReadLayerNorms(csv);
        Assert.Equal(["hidden", "out"], norms.Layers);
        Assert.Equal(8, norms.Steps);
        for (int t = 0; t < 8; t++)
        {
            Assert.Equal(history.GradientNorms[t], global[t], 5e-6 * history.GradientNorms[t]);
            for (int l = 0; l < 2; l++)
            {
                Assert.Equal(history.LayerGradientNorms.Before(t)[l], norms.Before(t)[l], 5e-6 * norms.Before(t)[l]);
                Assert.Equal(history.LayerGradientNorms.After(t)[l], norms.After(t)[l], 5e-6 * norms.After(t)[l]);
            }
        }
        Assert.Throws<InvalidDataException>(() => TrainingCsv.ReadLayerNorms("epoch,step,global\n1,1,0.5\n"));
        Assert.Contains("line 2", Assert.Throws<InvalidDataException>(() => TrainingCsv.ReadLayerNorms("global,layer:a,clipped:a\n1,x,1\n")).Message);
    }
}
