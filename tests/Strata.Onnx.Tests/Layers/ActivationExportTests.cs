using Strata.Layers;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests.Layers;

public class ActivationExportTests
{
    public static TheoryData<string> Names => ["linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "softmax"];

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_activation_alone_matches(string name)
    {
        var model = Built([9], new Activation(Activations.Get(name)));
        var x = Random(new Shape(6, 9), seed: 1, scale: 6f);
        x[0] = 0f;
        x[1] = -0f;
        x[2] = 40f; // softmax and sigmoid saturate
        x[3] = -40f;
        AssertMatches(model, x);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_activation_inside_dense_matches(string name)
    {
        var model = Built([5], new Dense(4, activation: Activations.Get(name)));
        Randomize(model, 2);
        AssertMatches(model, Random(new Shape(7, 5), seed: 3));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_activation_on_an_nchw_image_matches(string name)
    {
        // The convolution leaves the value in NCHW; softmax must still run over Strata's channels.
        var model = Built([3, 4, 2], new Conv2D(5, 3, padding: "same", activation: Activations.Get(name)), new Activation(Activations.Get(name)));
        Randomize(model, 4);
        AssertMatches(model, Random(new Shape(2, 3, 4, 2), seed: 5));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.01f)]
    [InlineData(0.37f)]
    public void Leaky_relu_keeps_its_slope(float alpha)
    {
        var model = Built([8], new Activation(Activations.LeakyReluWith(alpha)));
        AssertMatches(model, Random(new Shape(4, 8), seed: 6));
    }

    [Fact]
    public void Softmax_on_rank_3_normalizes_the_last_axis()
    {
        var model = Built([3, 5], new Activation(Activations.Softmax));
        AssertMatches(model, Random(new Shape(2, 3, 5), seed: 7, scale: 5f));
    }

    [Fact]
    public void Selu_writes_strata_constants()
    {
        var node = OnnxExporter.BuildModel(Built([2], new Activation(Activations.Selu)), 17).Graph.Node.Single();
        Assert.Equal("Selu", node.OpType);
        Assert.Equal(1.67326324f, node.Attribute.Single(a => a.Name == "alpha").F);
        Assert.Equal(1.05070098f, node.Attribute.Single(a => a.Name == "gamma").F);
    }

    private sealed class Swish : ActivationFunction
    {
        public override string Name => "swish";
        public override void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int columns)
        {
            for (int i = 0; i < x.Length; i++) y[i] = x[i] / (1 + MathF.Exp(-x[i]));
        }
        public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int columns) =>
            throw new NotImplementedException();
    }

    [Fact]
    public void An_unknown_activation_is_refused_by_name()
    {
        var model = Built([3], new Dense(2, activation: new Swish(), name: "custom_dense"));
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.ExportToBytes(model));
        Assert.Contains("custom_dense", error.Message);
        Assert.Contains("swish", error.Message);
    }
}
