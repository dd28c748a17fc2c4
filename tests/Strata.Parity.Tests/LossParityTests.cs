using System.Text.Json;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Parity.Tests;

/// <summary>
/// Binary cross-entropy (probabilities, clipped as Keras clips them, logits, and fused with a sigmoid output), MAE,
/// Huber and MSE on a Dense(1)-shaped output, against PyTorch and Keras's formula (tools/fixtures/losses.py): the mean
/// loss and its gradient w.r.t. the predictions within 1e-5 relative.
/// </summary>
public class LossParityTests
{
    private static readonly JsonElement Cases = Fixture.Load("losses.json").GetProperty("cases");

    public static TheoryData<string, int> Elementwise()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "bce_probabilities", "bce_clipped", "bce_logits", "mae", "huber_1", "huber_0.5", "huber_2", "mse_column" })
            for (int i = 0; i < Cases.GetProperty(name).GetArrayLength(); i++) data.Add(name, i);
        return data;
    }

    private static Loss Make(string name) => name switch
    {
        "bce_probabilities" or "bce_clipped" => Losses.BinaryCrossentropy(),
        "bce_logits" => Losses.BinaryCrossentropy(fromLogits: true),
        "mae" => Losses.MeanAbsoluteError,
        "huber_1" => Losses.Huber(),
        "huber_0.5" => Losses.Huber(0.5f),
        "huber_2" => Losses.Huber(2f),
        "mse_column" => Losses.MeanSquaredError,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Elementwise))]
    public void Loss_and_gradient_match(string name, int index)
    {
        var c = Cases.GetProperty(name)[index];
        var shape = new Shape(c.Ints("shape"));
        var p = new Tensor(shape, c.Floats("p"));
        var loss = Make(name);
        float expected = c.GetProperty("loss").GetSingle();
        var targetShapes = new List<Shape> { shape };
        if (shape.Rank == 2 && shape[1] == 1) targetShapes.Add(new Shape(shape[0])); // (n,) for an (n, 1) output, as Keras squeezes it
        foreach (var targetShape in targetShapes)
        {
            var t = new Tensor(targetShape, c.Floats("t"));
            var grad = new float[p.Length];
            float value = loss.Compute(p, t, grad);
            Assert.True(Math.Abs(value - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"{name}[{index}] targets {targetShape}: loss {value}, expected {expected}");
            Fixture.Close($"{name}[{index}] d/dp", c.Floats("grad"), grad, 1e-5);
        }
    }

    [Fact]
    public void A_sigmoid_output_fused_matches_pytorch_and_keras_clipped_value()
    {
        var c = Cases.GetProperty("sigmoid_model");
        var model = new Sequential(new Dense(2, activation: "sigmoid", inputShape: [3])) { Seed = 1 };
        model.Compile(new Sgd(), Losses.BinaryCrossentropy());
        var dense = (Dense)model.Layers[0];
        c.Floats("kernel").CopyTo(dense.Kernel.Value);
        c.Floats("bias").CopyTo(dense.Bias!.Value);
        var gradients = model.ComputeGradients(new Tensor(new Shape(8, 3), c.Floats("x")), new Tensor(new Shape(8, 2), c.Floats("t")));
        foreach (string key in new[] { "loss", "keras_loss" })
        {
            float expected = c.GetProperty(key).GetSingle();
            Assert.True(Math.Abs(gradients.Loss - expected) <= 1e-5 * Math.Max(1, expected), $"{key}: {expected}, Strata {gradients.Loss}");
        }
        Fixture.Close("dkernel", c.Floats("dkernel"), gradients[0], 1e-5);
        Fixture.Close("dbias", c.Floats("dbias"), gradients[1], 1e-5);
    }
}
