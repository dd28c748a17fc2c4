using Microsoft.ML.OnnxRuntime;
using Strata.Layers;
using Strata.Onnx.Proto;

namespace Strata.Onnx.Tests;

/// <summary>Functional models in ONNX Runtime: residual blocks, merges in every layout, several inputs and outputs, shared layers.</summary>
public class FunctionalExportTests
{
    /// <summary>Runs an exported model on named inputs and returns every output, in the model's output order.</summary>
    private static float[][] Run(byte[] onnx, string[] inputNames, Tensor[] x, string[] outputNames)
    {
        using var session = new InferenceSession(onnx);
        var values = x.Select(t => OrtValue.CreateTensorValueFromMemory(t.Span.ToArray(), [.. t.Shape.Dims.ToArray().Select(d => (long)d)])).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputNames, values, outputNames);
            return [.. outputs.Select(o => o.GetTensorDataAsSpan<float>().ToArray())];
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <summary>A residual block with a projection shortcut, BN after every conv, then pooling, and a Dense head.</summary>
    private static Model Residual()
    {
        var x = Input.Of(6, 6, 2);
        var h = new Activation("relu").Call(new BatchNormalization().Call(new Conv2D(4, 3, padding: "same").Call(x)));
        h = new BatchNormalization().Call(new Conv2D(4, 3, padding: "same").Call(h));
        var shortcut = new BatchNormalization().Call(new Conv2D(4, 1).Call(x));
        var sum = new Activation("relu").Call(new Add().Call(h, shortcut));
        var joined = new Concatenate().Call(sum, new MaxPooling2D(1).Call(x)); // channels, both in NCHW
        var model = new Model(x, new Dense(3, activation: "softmax").Call(new Flatten().Call(joined))) { Seed = 3 };
        OnnxParity.Randomize(model, seed: 4);
        return model;
    }

    [Fact]
    public void A_residual_network_and_its_folded_copy_match_onnx_runtime()
    {
        var model = Residual();
        var x = OnnxParity.Random(new Shape(5, 6, 6, 2), seed: 1);
        OnnxParity.AssertMatches(model, x);
        var folded = model.FoldBatchNormalization(out FoldReport report);
        Assert.Equal(3, report.Folded.Count);
        OnnxParity.AssertMatches(folded, x);
    }

    [Fact]
    public void Several_inputs_and_outputs_a_shared_layer_and_merges_across_layouts_match_onnx_runtime()
    {
        var image = Input.Of(new Shape(4, 4, 3), "image");
        var features = Input.Of(new Shape(6), "features");
        var conv = new Flatten().Call(new Conv2D(2, 3, activation: "relu").Call(image)); // flattened NCHW
        var shared = new Dense(6, activation: "tanh");
        var twice = shared.Call(shared.Call(features));
        var product = new Multiply(name: "product").Call(twice, features);
        var joined = new Concatenate(name: "joined").Call(conv, product, new Reshape([8]).Call(new Conv2D(2, 3).Call(image)));
        var sum = new Add(name: "sum").Call(new Dense(5, name: "left").Call(joined), new Dense(5, name: "right").Call(product));
        var model = new Model([image, features], [new Dense(3, activation: "softmax", name: "classes").Call(sum), new Dense(1, name: "score").Call(joined)]) { Seed = 2 };
        OnnxParity.Randomize(model, seed: 5);

        Tensor[] x = [OnnxParity.Random(new Shape(3, 4, 4, 3), seed: 6), OnnxParity.Random(new Shape(3, 6), seed: 7)];
        var expected = model.Predict(x);
        var actual = Run(OnnxExporter.ExportToBytes(model), ["image", "features"], x, ["classes", "score"]);
        for (int k = 0; k < 2; k++) OnnxParity.AssertClose(expected[k].Span, actual[k]);
    }
    [Fact]
    public void A_shared_layer_writes_its_weights_once_and_layers_with_equal_weights_keep_their_own()
    {
        var features = Input.Of(new Shape(4), "features");
        var shared = new Dense(4, activation: "tanh", name: "shared");
        var twice = shared.Call(shared.Call(features));
        var model = new Model(features, new Dense(4, name: "other").Call(twice)) { Seed = 1 };
        OnnxParity.Randomize(model, seed: 2);
        // The other layer's weights equal the shared one's: equal values alone must not merge two layers' weights.
        var sharedLayer = (Dense)model.Layers.Single(l => l.Name == "shared");
        var otherLayer = (Dense)model.Layers.Single(l => l.Name == "other");
        sharedLayer.Kernel.Value.CopyTo(otherLayer.Kernel.Value);
        sharedLayer.Bias!.Value.CopyTo(otherLayer.Bias!.Value);

        byte[] onnx = OnnxExporter.ExportToBytes(model);
        var graph = ModelProto.Parser.ParseFrom(onnx).Graph;
        Assert.Equal(["other/bias", "other/kernel", "shared/bias", "shared/kernel"], graph.Initializer.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal(2, graph.Node.Count(n => n.Input.Contains("shared/kernel")));

        var x = OnnxParity.Random(new Shape(3, 4), seed: 3);
        OnnxParity.AssertClose(model.Predict(x).Span, Run(onnx, [OnnxExporter.InputName], [x], [OnnxExporter.OutputName])[0]);
    }
}
