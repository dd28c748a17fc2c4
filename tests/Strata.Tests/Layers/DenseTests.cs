using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class DenseTests
{
    [Theory]
    [InlineData("linear")]
    [InlineData("relu")]
    [InlineData("leaky_relu")]
    [InlineData("elu")]
    [InlineData("selu")]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("softmax")]
    public void Gradients_match_finite_differences(string activation)
    {
        var dense = new Dense(7, activation: activation);
        dense.Build(new Shape(5), new Random(1));
        GradientChecker.Check(dense, GradientChecker.Random(new Shape(4, 5), seed: 2));
    }

    [Fact]
    public void Without_bias_has_only_a_kernel_and_checks()
    {
        var dense = new Dense(3, useBias: false, kernelInitializer: Initializers.HeNormal);
        dense.Build(new Shape(6), new Random(1));
        Assert.Single(dense.Weights);
        Assert.Null(dense.Bias);
        Assert.Equal(18, dense.CountParams());
        GradientChecker.Check(dense, GradientChecker.Random(new Shape(5, 6), seed: 3));
    }

    [Fact]
    public void Acts_on_the_last_axis_of_higher_rank_inputs()
    {
        var dense = new Dense(2, activation: "tanh");
        Assert.Equal(new Shape(3, 2), dense.Build(new Shape(3, 4), new Random(1)));
        GradientChecker.Check(dense, GradientChecker.Random(new Shape(2, 3, 4), seed: 4));
    }

    [Fact]
    public void Forward_computes_x_w_plus_b()
    {
        var dense = new Dense(2);
        dense.Build(new Shape(3), new Random(1));
        float[] w = [1, 2, 3, 4, 5, 6]; // [3, 2]
        w.CopyTo(dense.Kernel.Value);
        dense.Bias!.Value[0] = 0.5f;
        dense.Bias.Value[1] = -1f;
        var y = dense.Forward(Tensor.FromArray(new Shape(1, 3), 1, 0, -1), training: false);
        Assert.Equal([1 - 5 + 0.5f, 2 - 6 - 1f], y.Span.ToArray());
    }

    [Fact]
    public void Wrong_input_shape_names_the_layer_and_both_shapes()
    {
        var dense = new Dense(2, name: "probe");
        dense.Build(new Shape(3), new Random(1));
        var e = Assert.Throws<ArgumentException>(() => dense.Forward(new Tensor(new Shape(4, 5)), training: false));
        Assert.Contains("probe", e.Message);
        Assert.Contains("(None, 3)", e.Message);
        Assert.Contains("(4, 5)", e.Message);
    }

    [Fact]
    public void Backward_before_a_training_forward_is_refused()
    {
        var dense = new Dense(2);
        dense.Build(new Shape(3), new Random(1));
        dense.Forward(new Tensor(new Shape(1, 3)), training: false);
        Assert.Throws<InvalidOperationException>(() => dense.Backward(new Tensor(new Shape(1, 2))));
    }

    [Fact]
    public void Gradients_accumulate_across_backward_calls()
    {
        var dense = new Dense(2);
        dense.Build(new Shape(3), new Random(1));
        var x = GradientChecker.Random(new Shape(2, 3), seed: 5);
        var dy = GradientChecker.Random(new Shape(2, 2), seed: 6);
        dense.Forward(x, training: true);
        dense.Backward(dy);
        var once = dense.Kernel.Gradient.ToArray();
        dense.Backward(dy);
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], dense.Kernel.Gradient[i], 5);
    }

    [Fact]
    public void Keras_names_and_parameter_counts()
    {
        var dense = new Dense(300, name: "dense_probe");
        dense.Build(new Shape(784), new Random(1));
        Assert.Equal(235_500, dense.CountParams());
        Assert.Equal(["dense_probe/kernel", "dense_probe/bias"], dense.Weights.Select(w => w.Name));
        Assert.Equal(new Shape(784, 300), dense.Kernel.Shape);
    }
}
