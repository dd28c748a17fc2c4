using Strata.Layers;
using Strata.Optimizers;
using Xunit.Abstractions;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests;

/// <summary>
/// The networks <c>strata train</c> builds, trained for one epoch on a small synthetic dataset (so the moving
/// statistics and weights are real), exported as they are and with BatchNormalization folded.
/// </summary>
public class PresetExportTests(ITestOutputHelper output)
{
    private static Model Trained(string preset)
    {
        var model = Presets.Create(preset, seed: 11);
        var definition = Presets.Find(preset)!;
        Optimizer optimizer = definition.Optimizer == "adam" ? new Adam(definition.LearningRate) : new Sgd(definition.LearningRate);
        model.Compile(optimizer, Losses.SparseCategoricalCrossentropy);
        // 28×28 "images" whose class sets the brightness of one band of rows, plus noise: something to learn.
        var (x, y) = Synthetic(samples: 192, seed: 12);
        model.Fit(x, y, epochs: 1, batchSize: 32, seed: 13);
        return model;
    }

    private static (Tensor X, Tensor Y) Synthetic(int samples, int seed)
    {
        var random = new Random(seed);
        var x = new Tensor(new Shape(samples, 28, 28));
        var y = new Tensor(new Shape(samples));
        for (int n = 0; n < samples; n++)
        {
            int label = random.Next(10);
            y[n] = label;
            for (int i = 0; i < 28 * 28; i++)
            {
                int row = i / 28;
                float signal = row / 3 == label ? 0.8f : 0f;
                x[n * 784 + i] = signal + 0.3f * (float)random.NextDouble();
            }
        }
        return (x, y);
    }

    [Theory]
    [InlineData("mlp-bn")]
    [InlineData("mlp-bn-before-activation")]
    [InlineData("cnn-bn")]
    [InlineData("mlp")]
    [InlineData("resnet")]
    public void Trained_preset_matches_unfolded_and_folded(string preset)
    {
        var model = Trained(preset);
        var (x, _) = Synthetic(samples: 40, seed: 14);

        double unfolded = AssertMatches(model, x);
        // The training moved the moving statistics away from 0 and 1, so BN really acts in the exported graph.
        if (model.Layers.OfType<BatchNormalization>().FirstOrDefault() is { } bn)
            Assert.Contains(bn.MovingMean.Value.ToArray(), m => Math.Abs(m) > 1e-3);

        var folded = model.FoldBatchNormalization(out var kept);
        Assert.Empty(kept);
        double foldedError = AssertMatches(folded, x);
        output.WriteLine($"{preset}: largest |ONNX Runtime − Strata| {unfolded:g3} unfolded, {foldedError:g3} folded");
        var foldedOps = OnnxExporter.BuildModel(folded, OnnxExporter.DefaultOpset).Graph.Node.Select(n => n.OpType);
        Assert.DoesNotContain("BatchNormalization", foldedOps);
        Assert.DoesNotContain("Mul", foldedOps);
    }

    [Fact]
    public void Cnn_preset_graph_has_one_transpose_and_permutes_the_dense_kernel_instead_of_transposing_back()
    {
        var model = Trained("cnn-bn");
        var ops = OnnxExporter.BuildModel(model, OnnxExporter.DefaultOpset).Graph.Node.Select(n => n.OpType).ToArray();
        Assert.Equal(1, ops.Count(op => op == "Transpose"));
        Assert.Equal(
            ["Reshape", "Transpose", "Conv", "BatchNormalization", "Relu", "MaxPool", "Conv", "BatchNormalization", "Relu", "MaxPool",
             "Flatten", "Gemm", "BatchNormalization", "Relu", "Identity", "Gemm", "Softmax"],
            ops);
    }
}
