using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.PresetModels;

public class ResidualBlocksTests
{
    [Fact]
    public void Basic_blocks_take_the_identity_when_the_shape_stays_and_a_projection_when_it_changes()
    {
        var x = Input.Of(6, 6, 4);
        var same = ResidualBlocks.Basic(x, 4, name: "same");
        var down = ResidualBlocks.Basic(same, 8, stride: 2, name: "down");
        var model = new Model(x, down) { Seed = 1 };
        Assert.Equal(new Shape(3, 3, 8), model.OutputShape);
        string[] names = [.. model.Layers.Select(l => l.Name)];
        Assert.DoesNotContain("same_0_conv", names);
        Assert.Contains("down_0_conv", names);
        Assert.Contains("down_0_bn", names);
        // The identity block adds its own input; every convolution is followed by BN and has no bias.
        var add = Assert.IsType<Add>(model.Layers.Single(l => l.Name == "same_add"));
        Assert.Same(x.Layer, add.InboundNodes[0].Inputs[0].Layer);
        Assert.All(model.Layers.OfType<Conv2D>(), c => Assert.False(c.UseBias));
        Assert.Equal(model.Layers.OfType<Conv2D>().Count(), model.Layers.OfType<BatchNormalization>().Count());
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("projection")]
    [InlineData("bottleneck")]
    public void Gradients_through_identity_and_projection_blocks_match_finite_differences(string block)
    {
        var x = Input.Of(4, 4, 2);
        var y = block switch
        {
            "identity" => ResidualBlocks.Basic(x, 2),
            "projection" => ResidualBlocks.Basic(x, 3, stride: 2),
            _ => ResidualBlocks.Bottleneck(x, 2, projection: true),
        };
        var model = new Model(x, y) { Seed = 3 };
        // BN in training mode on 4·4·4 values per channel curves the loss sharply: h = 2e-3 keeps the central
        // difference's truncation error (≈1% at the default 1e-2) well inside the tolerance.
        ModelGradientChecker.Check(model, [GradientChecker.Random(new Shape(4, 4, 4, 2), seed: 4)], tolerance: 1e-2, h: 2e-3f);
    }

    [Fact]
    public void A_bottleneck_identity_that_does_not_fit_is_refused_with_the_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => ResidualBlocks.Bottleneck(Input.Of(8, 8, 64), 64, projection: false, name: "b"));
        Assert.Contains("'b'", e.Message);
        Assert.Contains("256 input channels", e.Message);
        Assert.Contains("(None, 8, 8, 64)", e.Message);
    }

    [Fact]
    public void A_fixup_network_starts_as_its_shortcuts_and_its_gradients_match_finite_differences()
    {
        var branches = new List<IReadOnlyList<Layer>>();
        var x = Input.Of(6, 6, 2);
        var h = ResidualBlocks.FixupBasic(x, 2, branches);
        h = ResidualBlocks.FixupBasic(h, 4, branches, stride: 2, name: "down");
        var classifier = new Dense(3);
        var y = classifier.Call(new GlobalAveragePooling2D().Call(h));
        var model = new Model(x, y) { Seed = 1 };
        Assert.Equal(2, branches.Count);
        Assert.Contains(model.Layers, l => l.Name == "down_0_conv");
        Assert.DoesNotContain(model.Layers, l => l is BatchNormalization);
        Fixup.Initialize(branches, classifier, seed: 2);

        // Every branch ends at 0 and the classifier is 0: the output is 0 whatever the input.
        var input = GradientChecker.Random(new Shape(3, 6, 6, 2), seed: 3);
        Assert.All(model.Predict(input).Span.ToArray(), v => Assert.Equal(0f, v));
        // Away from the zeros (which make most gradients vanish), the gradients through biases, scales and both
        // shortcuts are exact.
        var random = new Random(4);
        foreach (var weight in model.Layers.SelectMany(l => l.TrainableWeights))
            for (int i = 0; i < weight.Size; i++) weight.Value[i] += 0.3f * (float)(random.NextDouble() - 0.5);
        ModelGradientChecker.Check(model, [input], tolerance: 1e-2, h: 2e-3f);
    }
}
