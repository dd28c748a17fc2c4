using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class ScalarBiasTests
{
    [Fact]
    public void Gradients_match_finite_differences()
    {
        var layer = new ScalarBias();
        layer.Build(new Shape(3, 4, 2));
        layer.Bias.Value[0] = 0.7f;
        GradientChecker.Check(layer, GradientChecker.Random(new Shape(2, 3, 4, 2), seed: 1));
    }

    [Fact]
    public void Adds_one_scalar_starting_at_zero_and_its_gradient_is_the_sum()
    {
        var layer = new ScalarBias();
        Assert.Equal(new Shape(3), layer.Build(new Shape(3)));
        Assert.Equal(1, layer.CountParams());
        Assert.Equal(0f, layer.Bias.Value[0]);
        Assert.Matches("^scalar_bias(_\\d+)?/bias$", layer.Bias.Name);
        layer.Bias.Value[0] = 0.5f;
        var x = Tensor.FromArray(new Shape(2, 3), 1, -2, 3, 0, 4, -1);
        Assert.Equal([1.5f, -1.5f, 3.5f, 0.5f, 4.5f, -0.5f], layer.Forward(x, training: true).Span.ToArray());
        var dy = Tensor.FromArray(new Shape(2, 3), 1, 2, 3, 4, 5, 6);
        Assert.Equal(dy.Span.ToArray(), layer.Backward(dy).Span.ToArray());
        Assert.Equal(21f, layer.Bias.Gradient[0]);
        layer.Forward(x, training: true);
        layer.Backward(dy);
        Assert.Equal(42f, layer.Bias.Gradient[0]); // accumulates
    }

    [Fact]
    public void Scalar_bias_and_scale_survive_save_and_load()
    {
        var model = new Sequential(
            new ScalarBias(inputShape: [4], name: "b"),
            new Dense(3),
            new ScalarScale(name: "s"),
            new Dense(2)) { Seed = 1 };
        model.Compile(new Sgd(0.1f), Losses.MeanSquaredError);
        var x = GradientChecker.Random(new Shape(6, 4), seed: 2);
        model.Fit(x, GradientChecker.Random(new Shape(6, 2), seed: 3), epochs: 2, batchSize: 3, verbose: 0);
        Assert.NotEqual(0f, Assert.IsType<ScalarBias>(model.Layers[0]).Bias.Value[0]);
        Assert.NotEqual(1f, Assert.IsType<ScalarScale>(model.Layers[2]).Scale.Value[0]);
        string path = Path.Combine(Path.GetTempPath(), $"strata-scalar-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = Sequential.Load(path);
            Assert.Equal(("b", "s"), (loaded.Layers[0].Name, loaded.Layers[2].Name));
            Assert.Equal(Assert.IsType<ScalarScale>(model.Layers[2]).Scale.Value[0], Assert.IsType<ScalarScale>(loaded.Layers[2]).Scale.Value[0]);
            Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
