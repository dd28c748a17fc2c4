using Strata.Layers;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests.Layers;

public class RecurrentExportTests
{
    public static TheoryData<string, bool, bool> Cases()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (string kind in new[] { "rnn", "lstm", "gru" })
            foreach (bool sequences in new[] { false, true })
                foreach (bool bias in new[] { true, false })
                    data.Add(kind, sequences, bias);
        return data;
    }

    private static Layer Make(string kind, int units, bool sequences, bool bias, ActivationFunction? activation = null) => kind switch
    {
        "rnn" => new SimpleRnn(units, activation, returnSequences: sequences, useBias: bias),
        "lstm" => new Lstm(units, returnSequences: sequences, activation: activation, useBias: bias),
        _ => new Gru(units, returnSequences: sequences, activation: activation, useBias: bias),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Recurrent_layer_matches(string kind, bool returnSequences, bool useBias)
    {
        var model = Built([5, 3], Make(kind, 4, returnSequences, useBias));
        Randomize(model, 1); // every gate's weights and biases distinct, so a wrong gate order shows
        AssertMatches(model, Random(new Shape(3, 5, 3), seed: 2));
    }

    [Theory]
    [InlineData("rnn")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Stacked_with_a_dense_head_matches(string kind)
    {
        var model = Built([6, 2],
            Make(kind, 5, sequences: true, bias: true),
            Make(kind, 3, sequences: false, bias: true),
            new Dense(2, activation: Activations.Softmax));
        Randomize(model, 3);
        AssertMatches(model, Random(new Shape(4, 6, 2), seed: 4));
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("sigmoid")]
    [InlineData("leaky_relu")]
    [InlineData("elu")]
    public void Simple_rnn_with_other_activations_matches(string activation)
    {
        var model = Built([4, 3], new SimpleRnn(4, Activations.Get(activation), returnSequences: true));
        Randomize(model, 5);
        AssertMatches(model, Random(new Shape(2, 4, 3), seed: 6));
    }

    [Fact]
    public void Lstm_with_relu_matches()
    {
        var model = Built([4, 3], new Lstm(3, activation: Activations.Relu));
        Randomize(model, 7);
        AssertMatches(model, Random(new Shape(2, 4, 3), seed: 8));
    }

    [Fact]
    public void A_trained_lstm_matches()
    {
        var model = new Sequential(new Lstm(6, inputShape: [7, 2]), new Dense(3, activation: Activations.Softmax)) { Seed = 9 };
        model.Compile(new Strata.Optimizers.Adam(0.01f), Losses.SparseCategoricalCrossentropy);
        var x = Random(new Shape(48, 7, 2), seed: 10);
        var y = new Tensor(new Shape(48));
        for (int i = 0; i < 48; i++) y[i] = x[i * 14] > 0 ? 1 : x[i * 14 + 1] > 0 ? 2 : 0;
        model.Fit(x, y, epochs: 2, batchSize: 16, seed: 11);
        AssertMatches(model, x);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void A_gated_cell_with_a_slope_is_refused_by_name(string kind)
    {
        var model = Built([3, 2], Make(kind, 2, sequences: false, bias: true, Activations.LeakyRelu));
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.ExportToBytes(model));
        Assert.Contains(model.Layers[0].Name, error.Message);
        Assert.Contains("leaky_relu", error.Message);
    }

    [Fact]
    public void A_softmax_state_is_refused()
    {
        var model = Built([3, 2], new SimpleRnn(2, Activations.Softmax, name: "soft_rnn"));
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.ExportToBytes(model));
        Assert.Contains("soft_rnn", error.Message);
    }
}
