using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

/// <summary>What SimpleRnn, Lstm and Gru share: shape errors, training in a model, steady steps without allocation.</summary>
// Steady-step allocation is measured here: with another test class sharing the worker pool at the same moment a
// step can take a different (inline) path, so these classes run alone.
[Collection(nameof(Strata.Tests.Kernels.WorkerPoolSettings))]
public class RecurrentTests
{
    // "_ln": with layer-normalized pre-activations.
    public static TheoryData<string> Kinds() => ["simple_rnn", "lstm", "gru", "gru_reset_before", "simple_rnn_ln", "lstm_ln"];

    private static Layer Make(string kind, int units, bool returnSequences = false, int[]? inputShape = null, string? name = null) => kind switch
    {
        "simple_rnn" or "simple_rnn_ln" => new SimpleRnn(units, returnSequences: returnSequences, inputShape: inputShape, name: name,
            layerNormalization: kind.EndsWith("_ln", StringComparison.Ordinal)),
        "lstm" or "lstm_ln" => new Lstm(units, returnSequences: returnSequences, inputShape: inputShape, name: name,
            layerNormalization: kind.EndsWith("_ln", StringComparison.Ordinal)),
        "gru" => new Gru(units, returnSequences: returnSequences, inputShape: inputShape, name: name),
        _ => new Gru(units, returnSequences: returnSequences, resetAfter: false, inputShape: inputShape, name: name),
    };

    /// <summary>Builds <paramref name="layer"/> for [time, features] and checks its gradients on a random [batch, time, features] input.</summary>
    internal static void CheckGradients(Layer layer, int batch, int time, int features, int units)
    {
        layer.Build(new Shape(time, features), new Random(batch * 10 + time));
        if (layer is Recurrent { Gamma: { } gamma }) GradientChecker.Random(gamma.Shape, seed: units, scale: 0.5f).Span.CopyTo(gamma.Value);
        GradientChecker.Check(layer, GradientChecker.Random(new Shape(batch, time, features), seed: units + time));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Bad_shapes_name_the_layer_and_the_shapes(string kind)
    {
        var e = Assert.Throws<ArgumentException>(() => Make(kind, 3, name: "seq").Build(new Shape(5), new Random(1)));
        Assert.Contains("seq", e.Message);
        Assert.Contains("(None, 5)", e.Message);
        Assert.Contains("rank 3", e.Message);
        Assert.Throws<ArgumentException>(() => Make(kind, 3).Build(new Shape(2, 3, 4), new Random(1)));
        Assert.Throws<ArgumentException>(() => Make(kind, 3).Build(new Shape(0, 3), new Random(1)));

        var layer = Make(kind, 3, name: "built");
        layer.Build(new Shape(5, 4), new Random(1));
        e = Assert.Throws<ArgumentException>(() => layer.Forward(new Tensor(new Shape(2, 5, 3)), training: true));
        Assert.Contains("built", e.Message);
        Assert.Contains("(None, 5, 4)", e.Message);
        Assert.Contains("(2, 5, 3)", e.Message);
        layer.Forward(new Tensor(new Shape(2, 5, 4)), training: true);
        Assert.Throws<ArgumentException>(() => layer.Backward(new Tensor(new Shape(2, 5, 3))));
        Assert.Throws<ArgumentOutOfRangeException>(() => Make(kind, 0));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Backward_needs_a_training_forward(string kind)
    {
        var layer = Make(kind, 2);
        layer.Build(new Shape(3, 2), new Random(1));
        layer.Forward(new Tensor(new Shape(1, 3, 2)), training: false);
        Assert.Throws<InvalidOperationException>(() => layer.Backward(new Tensor(new Shape(1, 2))));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Batch_size_may_change_between_calls(string kind)
    {
        var layer = Make(kind, 3, returnSequences: true);
        layer.Build(new Shape(4, 2), new Random(1));
        var big = GradientChecker.Random(new Shape(5, 4, 2), seed: 1);
        var yBig = layer.Forward(big, training: false).Span.ToArray();
        var small = new Tensor(new Shape(2, 4, 2), big.Span[..16].ToArray());
        var ySmall = layer.Forward(small, training: false).Span.ToArray();
        Assert.Equal(yBig[..(2 * 4 * 3)], ySmall);
    }

    /// <summary>The sign of a running sum: the answer depends on every step, so the state must carry it.</summary>
    private static (Tensor X, Tensor Y) SumSign(int samples, int time, int seed)
    {
        var x = GradientChecker.Random(new Shape(samples, time, 1), seed);
        var y = new Tensor(new Shape(samples));
        for (int n = 0; n < samples; n++)
        {
            float sum = 0;
            for (int t = 0; t < time; t++) sum += x[n * time + t];
            y[n] = sum > 0 ? 1 : 0;
        }
        return (x, y);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_recurrent_model_learns_the_sign_of_a_sum(string kind)
    {
        var (x, y) = SumSign(256, 8, seed: 3);
        var model = new Sequential(Make(kind, 8, inputShape: [8, 1]), new Dense(2, activation: "softmax")) { Seed = 4 };
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var history = model.Fit(x, y, epochs: 15, batchSize: 32, seed: 5);
        var loss = history["loss"];
        Assert.True(loss[^1] < 0.5 * loss[0], $"{kind}: loss {loss[0]} → {loss[^1]}");
        Assert.True(history["accuracy"][^1] > 0.85, $"{kind}: accuracy {history["accuracy"][^1]}");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Stacked_layers_train_and_a_steady_step_allocates_nothing(string kind)
    {
        var (x, y) = SumSign(16, 6, seed: 7);
        var model = new Sequential(Make(kind, 5, returnSequences: true, inputShape: [6, 1]), Make(kind, 4), new Dense(2, activation: "softmax")) { Seed = 2 };
        model.Compile(new Sgd(0.05f, momentum: 0.9f, clipNorm: 1f), Losses.SparseCategoricalCrossentropy);
        for (int i = 0; i < 3; i++) model.TrainOnBatch(x, y);
        Assert.Equal(0, SteadyAllocations.Of(() => model.TrainOnBatch(x, y)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_dense_layer_on_sequences_learns_a_running_sum_per_step(string kind)
    {
        // y_t = Σ_{s≤t} x_s: a returnSequences layer feeds a Dense that acts on every step (Dense takes the last axis).
        int samples = 128, time = 6;
        var x = GradientChecker.Random(new Shape(samples, time, 1), seed: 12, scale: 0.5f);
        var y = new Tensor(new Shape(samples, time, 1));
        for (int n = 0; n < samples; n++)
        {
            float sum = 0;
            for (int t = 0; t < time; t++) y[n * time + t] = sum += x[n * time + t];
        }
        var model = new Sequential(Make(kind, 8, returnSequences: true, inputShape: [time, 1]), new Dense(1)) { Seed = 3 };
        model.Compile(new Adam(0.01f), Losses.MeanSquaredError);
        Assert.Equal(new Shape(samples, time, 1), model.Predict(x).Shape);
        var loss = model.Fit(x, y, epochs: 20, batchSize: 16, seed: 4)["loss"];
        Assert.True(loss[^1] < 0.2 * loss[0], $"{kind}: loss {loss[0]} → {loss[^1]}");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Folding_a_model_copies_recurrent_layers_with_their_weights(string kind)
    {
        var (x, y) = SumSign(64, 5, seed: 9);
        var model = new Sequential(Make(kind, 6, inputShape: [5, 1]), new BatchNormalization(), new Dense(2, activation: "softmax")) { Seed = 1 };
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy);
        model.Fit(x, y, epochs: 2, batchSize: 16, seed: 2);
        var folded = model.FoldBatchNormalization();
        Assert.Equal(2, folded.Layers.Count);
        var expected = model.Predict(x).Span.ToArray();
        var actual = folded.Predict(x).Span.ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5);
    }
}
