using System.Text.RegularExpressions;
using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.PresetModels;

public class ResNetPresetTests
{
    [Fact]
    public void The_resnet_preset_is_a_graph_with_identity_and_projection_shortcuts()
    {
        var preset = Strata.Presets.Get("resnet");
        Assert.True(preset.IsFunctional);
        var model = Strata.Presets.ResNet(seed: 1);
        Assert.Equal("resnet", model.Name);
        Assert.Equal(new Shape(10), model.OutputShape);

        // Six blocks: the first input of each Add is its shortcut, the input of the block itself (identity) or a BN
        // after a 1×1 strided convolution (projection), in the first blocks of the 32- and 64-filter stages.
        var adds = model.Layers.OfType<Add>().ToArray();
        Assert.Equal(6, adds.Length);
        var shortcuts = adds.Select(a => a.InboundNodes[0].Inputs[0].Layer).ToArray();
        Assert.Equal([false, false, true, false, true, false], shortcuts.Select(l => l is BatchNormalization));
        var projections = model.Layers.OfType<Conv2D>().Where(c => c.KernelSize.Is(1)).ToArray();
        Assert.Equal([(32, 2), (64, 2)], projections.Select(c => (c.Filters, c.Strides.Height)));
        Assert.Equal(model.Layers.OfType<Conv2D>().Count(), model.Layers.OfType<BatchNormalization>().Count());
        Assert.Single(model.Layers.OfType<GlobalAveragePooling2D>());

        string summary = model.Summary();
        Assert.Contains("Connected to", summary);
        var addRows = Regex.Matches(summary, @"^ (add(_\d+)?) \(Add\)\s+\((None, [^)]*)", RegexOptions.Multiline);
        Assert.Equal(6, addRows.Count);
        // A projection block's Add reads a batch normalization; an identity block's, the previous block's ReLU.
        Assert.Equal(2, Regex.Matches(summary, @"\(Add\)[^\n]*\n?[^\n]*?0\s+batch_normalization(_\d+)?\[0\]\[0\],").Count);
        Assert.Equal(4, Regex.Matches(summary, @"\(Add\)\s+\(None, \d+, \d+, \d+\)\s+0\s+activation(_\d+)?\[0\]\[0\],").Count);
        Assert.Matches(@"Total params: 176,090 \(", summary);
    }

    [Fact]
    public void The_resnet_preset_trains_a_few_steps_on_tiny_data()
    {
        var model = Strata.Presets.ResNet(seed: 2);
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var x = GradientChecker.Random(new Shape(8, 28, 28), seed: 3);
        var y = new Tensor(new Shape(8));
        for (int i = 0; i < 8; i++)
        {
            y[i] = i % 2;
            if (i % 2 == 1) for (int p = 0; p < 28 * 28; p++) x[i * 28 * 28 + p] += 2f; // class 1 is brighter
        }
        var history = model.Fit(x, y, epochs: 4, batchSize: 4, verbose: 0, seed: 1);
        var losses = history["loss"];
        Assert.True(losses[^1] < losses[0], $"loss {losses[0]} → {losses[^1]}");
        Assert.All(model.Predict(x).Span.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void The_resnet_preset_takes_colour_images_and_refuses_tables()
    {
        var preset = Strata.Presets.Get("resnet");
        var model = preset.Create(new Shape(12, 10, 3), ModelTarget.Classification(4), seed: 1);
        Assert.Equal(new Shape(12, 10, 3), model.InputShape);
        Assert.Equal(new Shape(4), model.OutputShape);
        var e = Assert.Throws<ArgumentException>(() => preset.Create(new Shape(7), ModelTarget.Classification(3), seed: 1));
        Assert.Contains("needs images", e.Message);
        Assert.Throws<InvalidOperationException>(() => preset.CreateSequential(new Shape(28, 28), ModelTarget.Classification(10), seed: 1));
    }
}
