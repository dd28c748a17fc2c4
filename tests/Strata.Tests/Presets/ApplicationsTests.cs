using System.Text.RegularExpressions;
using Strata.Layers;

namespace Strata.Tests.PresetModels; // not Strata.Tests.Presets, which would hide the Presets class

public class ApplicationsTests
{
    [Fact]
    public void ResNet50_summary_prints_keras_s_totals()
    {
        var model = Applications.ResNet50();
        string summary = model.Summary();
        // keras.applications.ResNet50(weights=None).summary(), Keras 3: the three totals, with their float32 sizes.
        Assert.Contains("Total params: 25,636,712 (97.80 MB)", summary);
        Assert.Contains("Trainable params: 25,583,592 (97.59 MB)", summary);
        Assert.Contains("Non-trainable params: 53,120 (207.50 KB)", summary);
        Assert.StartsWith("Model: \"resnet50\"", summary);

        // Keras's layers, one row each: 177 with the input; 16 blocks, 4 of them with a projection shortcut.
        Assert.Equal(177, model.Layers.Count);
        Assert.Equal(16, model.Layers.OfType<Add>().Count());
        Assert.Equal(53, model.Layers.OfType<Conv2D>().Count());
        Assert.Equal(["conv2_block1_0_conv", "conv3_block1_0_conv", "conv4_block1_0_conv", "conv5_block1_0_conv"],
            model.Layers.Where(l => l.Name.EndsWith("_0_conv", StringComparison.Ordinal)).Select(l => l.Name));
        // The table wraps a long shape as tf.keras does: "(None, 56, 56, 256" and ")" on the next line.
        Assert.Matches(new Regex(@"conv2_block1_add \(Add\)\s+\(None, 56, 56, 256\s+0\s+conv2_block1_0_bn\[0\]\[0\],\s+\)\s+conv2_block1_3_bn\[0\]\[0\]"), summary);
        Assert.Matches(new Regex(@"conv2_block2_add \(Add\)\s+\(None, 56, 56, 256\s+0\s+conv2_block1_out\[0\]\[0\],"), summary); // identity
        Assert.Matches(new Regex(@"pool1_pad \(ZeroPadding2D\)\s+\(None, 114, 114, 6\s+0\s+conv1_relu\[0\]\[0\]"), summary);
        Assert.Matches(new Regex(@"predictions \(Dense\)\s+\(None, 1000\)\s+2049000\s+avg_pool\[0\]\[0\]"), summary);
    }

    [Fact]
    public void ResNet50_without_the_top_ends_at_the_last_block_and_runs()
    {
        var model = Applications.ResNet50(includeTop: false, inputShape: [32, 32, 3], seed: 1);
        Assert.Equal(new Shape(1, 1, 2048), model.OutputShape);
        Assert.Equal("conv5_block3_out", model.OutputNames[0]);
        // 25,636,712 less the classifier's 2048·1000 + 1000.
        Assert.Equal(25_636_712 - 2_049_000, model.CountParams());
        var y = model.Predict(GradientCheck.GradientChecker.Random(new Shape(1, 32, 32, 3), seed: 2));
        Assert.All(y.Span.ToArray(), v => Assert.True(float.IsFinite(v) && v >= 0));
        var e = Assert.Throws<ArgumentException>(() => Applications.ResNet50(inputShape: [16, 16, 3]));
        Assert.Contains("at least 32×32", e.Message);
    }
}
