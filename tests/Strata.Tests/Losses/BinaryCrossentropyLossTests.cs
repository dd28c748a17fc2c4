using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests;

public class BinaryCrossentropyLossTests
{
    [Fact]
    public void On_probabilities_it_is_keras_clipped_formula_averaged_over_outputs_then_samples()
    {
        var p = Tensor.FromArray(new Shape(2, 2), 0.9f, 0.2f, 0.6f, 1f);
        var t = Tensor.FromArray(new Shape(2, 2), 1, 0, 0, 1);
        double clippedOne = -Math.Log(1f - 1e-7f); // p = 1 is clipped to 1 − ε, in float32 as Keras clips: 0.99999988
        double expected = ((-Math.Log(0.9) - Math.Log(0.8)) / 2 + (-Math.Log(0.4) + clippedOne) / 2) / 2;
        Assert.Equal(expected, Losses.BinaryCrossentropy().Compute(p, t, []), 6);
        // A confidently wrong p = 0 for t = 1 is capped at −log ε, as Keras caps it.
        var wrong = Losses.BinaryCrossentropy().Compute(Tensor.FromArray(new Shape(1, 1), 0f), Tensor.FromArray(new Shape(1), 1f), []);
        Assert.Equal(-Math.Log(1e-7), wrong, 3);
        Assert.Equal("binary_crossentropy", Losses.BinaryCrossentropy().Name);
        Assert.Same(Losses.BinaryCrossentropy(), Losses.Get("binary_crossentropy"));
        Assert.Same(Losses.BinaryCrossentropy(), Losses.Get("bce"));
    }

    [Fact]
    public void On_logits_it_is_the_same_loss_without_clipping()
    {
        var z = Tensor.FromArray(new Shape(2, 1), 2f, -1f);
        var t = Tensor.FromArray(new Shape(2), 1, 0); // (n,) targets for an (n, 1) output, as Keras takes them
        double expected = (Math.Log(1 + Math.Exp(-2)) + Math.Log(1 + Math.Exp(-1))) / 2;
        var loss = Losses.BinaryCrossentropy(fromLogits: true);
        var grad = new float[2];
        Assert.Equal(expected, loss.Compute(z, t, grad), 6);
        Assert.Equal((1 / (1 + Math.Exp(-2)) - 1) / 2, grad[0], 6);
        Assert.Equal(1 / (1 + Math.Exp(1)) / 2, grad[1], 6);
        Assert.True(loss.FromLogits);

        // Far out, the logits form stays exact where probabilities would round to 0 or 1.
        Assert.Equal(40f, loss.Compute(Tensor.FromArray(new Shape(1, 1), 40f), Tensor.FromArray(new Shape(1), 0f), []), 4);
        Assert.Equal(0f, loss.Compute(Tensor.FromArray(new Shape(1, 1), 200f), Tensor.FromArray(new Shape(1), 1f), []));

        // Where p is not clipped, both forms agree (soft targets too).
        var logits = GradientChecker.Random(new Shape(6, 3), seed: 1, scale: 3f);
        var probabilities = new Tensor(logits.Shape);
        System.Numerics.Tensors.TensorPrimitives.Sigmoid(logits.Span, probabilities.Span);
        var soft = GradientChecker.Random(logits.Shape, seed: 2);
        System.Numerics.Tensors.TensorPrimitives.Sigmoid(soft.Span, soft.Span);
        Assert.Equal(Losses.BinaryCrossentropy().Compute(probabilities, soft, []), loss.Compute(logits, soft, []), 5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_sigmoid_output_is_fused_its_gradient_is_the_chain_rule_and_a_saturated_output_still_learns(int outputs)
    {
        var model = new Sequential(new Dense(outputs, activation: "sigmoid", inputShape: [3], name: "probe")) { Seed = 1 };
        model.Compile(new Sgd(), Losses.BinaryCrossentropy());
        var x = GradientChecker.Random(new Shape(6, 3), seed: 5);
        var y = new Tensor(new Shape(6, outputs));
        for (int i = 0; i < y.Length; i++) y[i] = i % 3 == 0 ? 1 : 0;
        float[] fused = model.ComputeGradients(x, y).Flat.ToArray();

        var dense = (Dense)model.Layers[0];
        var p = dense.Forward(x, training: true);
        var dp = new Tensor(p.Shape);
        Losses.BinaryCrossentropy().Compute(p, y, dp.Span);
        foreach (var w in dense.Weights) w.Gradient.Clear();
        dense.Backward(dp);
        float[] chained = dense.Weights.SelectMany(w => w.Gradient.ToArray()).ToArray();
        for (int i = 0; i < fused.Length; i++) Assert.Equal(chained[i], fused[i], 4);

        // z = 30 for a target of 0: p rounds to 1, the clipped loss would be −log ε with no gradient; fused, it is 30.
        foreach (var w in dense.Weights) w.Value.Fill(0);
        dense.Bias!.Value.Fill(30f);
        var gradients = model.ComputeGradients(new Tensor(new Shape(1, 3)), new Tensor(new Shape(1, outputs)));
        Assert.Equal(30f, gradients.Loss, 3);
        Assert.Contains(gradients.Flat.ToArray(), g => g > 0.1f); // dL/db = σ(30) − 0 ≈ 1 per output, over the outputs
    }

    [Fact]
    public void From_logits_never_fuses_with_a_sigmoid_it_does_not_expect()
    {
        Assert.False(Losses.BinaryCrossentropy(fromLogits: true).FusesWith(Activations.Sigmoid));
        Assert.True(Losses.BinaryCrossentropy().FusesWith(Activations.Sigmoid));
        Assert.False(Losses.BinaryCrossentropy().FusesWith(Activations.Softmax));
        Assert.False(Losses.SparseCategoricalCrossentropy.FusesWith(Activations.Sigmoid));
    }

    [Fact]
    public void A_tiny_binary_classifier_learns_with_it_end_to_end()
    {
        // Two Gaussian blobs in 2-D, labels (n,) for a Dense(1, sigmoid) output.
        var random = new Random(4);
        int n = 200;
        var x = new Tensor(new Shape(n, 2));
        var y = new Tensor(new Shape(n));
        for (int i = 0; i < n; i++)
        {
            int label = i % 2;
            y[i] = label;
            x[i, 0] = (float)(Initializers.NextGaussian(random) * 0.7 + (label == 1 ? 1.5 : -1.5));
            x[i, 1] = (float)(Initializers.NextGaussian(random) * 0.7 + (label == 1 ? -1 : 1));
        }
        var model = new Sequential(new Dense(8, activation: "tanh", inputShape: [2]), new Dense(1, activation: "sigmoid")) { Seed = 2 };
        model.Compile(new Adam(0.05f), Losses.BinaryCrossentropy(), [Metrics.BinaryAccuracy(), Metrics.Accuracy]);
        var before = model.Evaluate(x, y);
        var history = model.Fit(x, y, epochs: 20, batchSize: 20, seed: 1);
        var after = model.Evaluate(x, y);
        Assert.True(after.Loss < before.Loss / 4, $"loss {before.Loss} → {after.Loss}");
        Assert.True(after["binary_accuracy"] > 0.95, after.ToString());
        Assert.Equal(after["binary_accuracy"], after["accuracy"]);
        Assert.True(history.Values["loss"][^1] < history.Values["loss"][0]);
        var confusion = after.ConfusionMatrix!;
        Assert.Equal(n / 2, confusion[0, 0] + confusion[0, 1]);
        Assert.Equal(n / 2, confusion[1, 0] + confusion[1, 1]);
        Assert.Equal(after["accuracy"], (confusion[0, 0] + confusion[1, 1]) / (double)n, 6);
    }
}
