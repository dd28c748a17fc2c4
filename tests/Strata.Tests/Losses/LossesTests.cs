using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests;

public class LossesTests
{
    [Fact]
    public void Sparse_cross_entropy_is_minus_log_p()
    {
        var p = Tensor.FromArray(new Shape(2, 3), 0.2f, 0.7f, 0.1f, 0.5f, 0.25f, 0.25f);
        var y = Tensor.FromArray(new Shape(2), 1, 2);
        float loss = Losses.SparseCategoricalCrossentropy.Compute(p, y, []);
        Assert.Equal((-Math.Log(0.7) - Math.Log(0.25)) / 2, loss, 5);
    }

    [Fact]
    public void Categorical_cross_entropy_matches_the_sparse_form_on_one_hot_targets()
    {
        var p = Tensor.FromArray(new Shape(2, 3), 0.2f, 0.7f, 0.1f, 0.5f, 0.25f, 0.25f);
        var oneHot = Tensor.FromArray(new Shape(2, 3), 0, 1, 0, 0, 0, 1);
        float a = Losses.CategoricalCrossentropy.Compute(p, oneHot, []);
        float b = Losses.SparseCategoricalCrossentropy.Compute(p, Tensor.FromArray(new Shape(2), 1, 2), []);
        Assert.Equal(b, a, 6);
    }

    [Fact]
    public void Mean_squared_error_averages_over_outputs_then_samples()
    {
        var p = Tensor.FromArray(new Shape(2, 2), 1, 2, 3, 4);
        var t = Tensor.FromArray(new Shape(2, 2), 0, 0, 3, 2);
        Assert.Equal((0.5 * (1 + 4) + 0.5 * (0 + 4)) / 2, Losses.MeanSquaredError.Compute(p, t, []), 6);
    }

    /// <summary>A loss by name, with the settings' variants: "binary_crossentropy_from_logits", "huber_2" (δ = 2).</summary>
    internal static Loss ByName(string name) => name switch
    {
        "binary_crossentropy_from_logits" => Losses.BinaryCrossentropy(fromLogits: true),
        "huber_2" => Losses.Huber(delta: 2f),
        _ => Losses.Get(name),
    };

    [Theory]
    [InlineData("sparse_categorical_crossentropy")]
    [InlineData("categorical_crossentropy")]
    [InlineData("mean_squared_error")]
    [InlineData("binary_crossentropy")]
    [InlineData("binary_crossentropy_from_logits")]
    [InlineData("mean_absolute_error")]
    [InlineData("huber")]
    [InlineData("huber_2")]
    public void Gradients_match_finite_differences(string name)
    {
        var loss = ByName(name);
        var logits = GradientChecker.Random(new Shape(4, 5), seed: 3);
        bool probabilities = name is "sparse_categorical_crossentropy" or "categorical_crossentropy" or "binary_crossentropy";
        bool regression = name is "mean_squared_error" or "mean_absolute_error" or "huber" or "huber_2";
        // Probabilities for the losses on them; spread values for the others, so Huber's linear tails are crossed too.
        var p = probabilities ? Softmax(logits) : GradientChecker.Random(logits.Shape, seed: 3, scale: 3f);
        var targets = loss.SparseTargets ? Tensor.FromArray(new Shape(4), 0, 3, 4, 1)
            : regression ? GradientChecker.Random(p.Shape, seed: 4, scale: 3f)
            : Softmax(GradientChecker.Random(p.Shape, seed: 4));
        var grad = new float[p.Length];
        loss.Compute(p, targets, grad);
        const float h = 1e-3f;
        for (int i = 0; i < p.Length; i++)
        {
            float original = p[i];
            p[i] = original + h;
            double plus = loss.Compute(p, targets, []);
            p[i] = original - h;
            double minus = loss.Compute(p, targets, []);
            p[i] = original;
            double numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - grad[i]) <= 3e-3 * Math.Max(1, Math.Abs(numeric)), $"{name}: [{i}] {grad[i]} vs {numeric}");
        }
    }

    [Theory]
    [InlineData("sparse_categorical_crossentropy")]
    [InlineData("categorical_crossentropy")]
    public void Fused_softmax_gradient_equals_the_chain_rule_and_stays_finite(string name)
    {
        Loss loss = name;
        var model = new Sequential(new Dense(4, activation: "softmax", inputShape: [3], name: "probe_" + name)) { Seed = 1 };
        model.Compile(new Strata.Optimizers.Sgd(), loss);
        var x = GradientChecker.Random(new Shape(6, 3), seed: 5, scale: 3f);
        var y = loss.SparseTargets ? Tensor.FromArray(new Shape(6), 0, 1, 2, 3, 0, 1) : Softmax(GradientChecker.Random(new Shape(6, 4), seed: 6));
        float[] fused = model.ComputeGradients(x, y).Flat.ToArray();

        // The same gradient through the unfused path: dL/dp from the loss, then softmax's own backward.
        var dense = (Dense)model.Layers[0];
        var p = dense.Forward(x, training: true);
        var dp = new Tensor(p.Shape);
        loss.Compute(p, y, dp.Span);
        foreach (var w in dense.Weights) w.Gradient.Clear();
        dense.Backward(dp);
        float[] chained = dense.Weights.SelectMany(w => w.Gradient.ToArray()).ToArray();
        for (int i = 0; i < fused.Length; i++) Assert.Equal(chained[i], fused[i], 4);

        // Logits far apart: p underflows to 0 for the true class, yet the fused loss stays finite.
        var hard = Tensor.FromArray(new Shape(1, 3), 300f, -300f, 0f);
        var hardY = loss.SparseTargets ? Tensor.FromArray(new Shape(1), 1) : Tensor.FromArray(new Shape(1, 4), 0, 1, 0, 0);
        foreach (var w in dense.Weights) w.Value.Fill(0);
        dense.Kernel.Value[0] = 1f; // z = [x0, 0, 0, 0]
        dense.Kernel.Value[5] = 1f; // z1 = x1
        float lossValue = model.ComputeGradients(hard, hardY).Loss;
        Assert.True(float.IsFinite(lossValue));
        Assert.Equal(600f, lossValue, 1); // log Σe^z − z₁ = 300 − (−300)
    }

    [Fact]
    public void Wrong_target_shapes_are_named()
    {
        var p = new Tensor(new Shape(2, 3));
        var e = Assert.Throws<ArgumentException>(() => Losses.MeanSquaredError.Compute(p, new Tensor(new Shape(2, 4)), []));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(2, 4)", e.Message);
    }

    private static Tensor Softmax(Tensor x)
    {
        var y = new Tensor(x.Shape);
        Strata.Kernels.ActivationKernels.SoftmaxForward(x.Span, x.Shape[0], x.Length / x.Shape[0], y.Span);
        return y;
    }

    [Fact]
    public void Cross_entropies_refuse_predictions_with_positions_and_name_the_shapes()
    {
        // (2, 3, 2): three per-position softmax distributions per sample; not one distribution over 6 values.
        var p = Tensor.FromArray(new Shape(2, 3, 2), 0.5f, 0.5f, 0.2f, 0.8f, 0.9f, 0.1f, 0.3f, 0.7f, 0.6f, 0.4f, 0.5f, 0.5f);
        var e = Assert.Throws<ArgumentException>(() => Losses.CategoricalCrossentropy.Compute(p, p, []));
        Assert.Contains("(2, 3, 2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 positions of 2 classes", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Losses.SparseCategoricalCrossentropy.Compute(p, Tensor.FromArray(new Shape(2), 0, 5), []));
        Assert.Contains("Flatten", e.Message, StringComparison.Ordinal);
        // Mean squared error has no distribution to misread: any matching shape stays fine.
        Assert.Equal(0f, Losses.MeanSquaredError.Compute(p, p, []));
    }

    [Fact]
    public void Fit_refuses_a_conv_network_without_flatten_before_any_state_changes()
    {
        var model = new Sequential(
            new Conv2D(2, 3, inputShape: [8, 8, 1]), new BatchNormalization(), new Dense(2, activation: "softmax")) { Seed = 3 };
        model.Compile(new Strata.Optimizers.Sgd(0.1f), Losses.SparseCategoricalCrossentropy);
        var x = GradientChecker.Random(new Shape(4, 8, 8, 1), seed: 4);
        var y = Tensor.FromArray(new Shape(4), 0, 1, 50, 1); // 50 would pass a class check against 6·6·2 = 72 values
        var bn = model.Layers.OfType<BatchNormalization>().Single();
        float[] movingMean = bn.MovingMean.Value.ToArray();
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, epochs: 1, batchSize: 2));
        Assert.Contains("(4, 6, 6, 2)", e.Message, StringComparison.Ordinal);
        Assert.Equal(movingMean, bn.MovingMean.Value.ToArray());
    }
}
