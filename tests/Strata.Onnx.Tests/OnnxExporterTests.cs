using Strata.Layers;
using Strata.Onnx.Proto;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests;

public class OnnxExporterTests
{
    private static Sequential SmallCnn()
    {
        var model = Built([6, 6, 1],
            new Conv2D(2, 3, padding: "same", name: "conv"),
            new BatchNormalization(name: "bn"),
            new MaxPooling2D(2, name: "pool"),
            new Flatten(name: "flatten"),
            new Dense(3, activation: Activations.Softmax, name: "head"));
        Randomize(model, 1);
        return model;
    }

    [Fact]
    public void The_graph_read_back_has_opset_17_ir_8_a_dynamic_batch_and_shaped_initializers()
    {
        var model = SmallCnn();
        var proto = ModelProto.Parser.ParseFrom(OnnxExporter.ExportToBytes(model));

        Assert.Equal(8, proto.IrVersion);
        var opset = Assert.Single(proto.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);
        Assert.Equal("Strata", proto.ProducerName);

        var input = Assert.Single(proto.Graph.Input);
        Assert.Equal("input", input.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Float, input.Type.TensorType.ElemType);
        var inputDims = input.Type.TensorType.Shape.Dim;
        Assert.Equal("N", inputDims[0].DimParam);
        Assert.Equal([6L, 6, 1], inputDims.Skip(1).Select(d => d.DimValue));
        var output = Assert.Single(proto.Graph.Output);
        Assert.Equal("output", output.Name);
        Assert.Equal("N", output.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(3, output.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal("output", proto.Graph.Node.Last().Output.Single());

        var shapes = proto.Graph.Initializer.ToDictionary(t => t.Name, t => t.Dims.ToArray());
        Assert.Equal([2L, 1, 3, 3], shapes["conv/kernel"]);
        Assert.Equal([2L], shapes["conv/bias"]);
        foreach (string weight in new[] { "bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance" })
            Assert.Equal([2L], shapes[weight]);
        Assert.Equal([18L, 3], shapes["head/kernel"]);
        Assert.Equal([3L], shapes["head/bias"]);
        foreach (var tensor in proto.Graph.Initializer)
        {
            Assert.Equal((int)TensorProto.Types.DataType.Float, tensor.DataType);
            Assert.Equal(tensor.Dims.Aggregate(1L, (p, d) => p * d) * sizeof(float), tensor.RawData.Length);
        }
        // Every value a node reads is the input, an initializer, or the output of an earlier node.
        var known = new HashSet<string>(proto.Graph.Initializer.Select(t => t.Name)) { "input" };
        foreach (var node in proto.Graph.Node)
        {
            Assert.All(node.Input, name => Assert.Contains(name, known));
            foreach (string name in node.Output) Assert.True(known.Add(name), $"{name} is written twice");
        }
    }

    [Theory]
    [InlineData(13, 7)]
    [InlineData(14, 7)]
    [InlineData(15, 8)]
    [InlineData(17, 8)]
    [InlineData(18, 8)]
    [InlineData(19, 9)]
    [InlineData(20, 9)]
    [InlineData(21, 10)]
    public void Every_supported_opset_loads_and_matches(int opset, long irVersion)
    {
        var model = SmallCnn();
        var proto = ModelProto.Parser.ParseFrom(OnnxExporter.ExportToBytes(model, opset));
        Assert.Equal(irVersion, proto.IrVersion);
        Assert.Equal(opset, proto.OpsetImport.Single().Version);
        AssertMatches(model, Random(new Shape(3, 6, 6, 1), seed: 2), opset);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(17)]
    [InlineData(21)]
    public void Recurrent_layers_load_in_every_supported_opset_and_match(int opset)
    {
        var model = Built([5, 3], new SimpleRnn(4, returnSequences: true), new Gru(4, returnSequences: true), new Lstm(3), new Dense(2));
        Randomize(model, 4);
        AssertMatches(model, Random(new Shape(2, 5, 3), seed: 5), opset);
        var resetBefore = Built([5, 3], new Gru(4, returnSequences: true, resetAfter: false), new Gru(3, resetAfter: false), new Dense(2));
        Randomize(resetBefore, 6);
        AssertMatches(resetBefore, Random(new Shape(2, 5, 3), seed: 7), opset);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    [InlineData(22)]
    public void An_unsupported_opset_is_refused(int opset)
    {
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.ExportToBytes(SmallCnn(), opset));
        Assert.Contains(opset.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Fact]
    public void The_batch_size_is_free()
    {
        var model = SmallCnn();
        byte[] onnx = OnnxExporter.ExportToBytes(model);
        foreach (int batch in new[] { 1, 2, 33 })
        {
            var x = Random(new Shape(batch, 6, 6, 1), seed: batch);
            var (values, shape) = Run(onnx, x);
            Assert.Equal([batch, 3L], shape);
            AssertClose(model.Predict(x).Span, values);
        }
    }

    [Fact]
    public void An_unbuilt_model_is_refused()
    {
        var model = new Sequential(new Dense(3, inputShape: [4]));
        var error = Assert.Throws<InvalidOperationException>(() => OnnxExporter.ExportToBytes(model));
        Assert.Contains("not built", error.Message);
    }

    private sealed class Square(string name) : Layer(name, null)
    {
        protected override Shape OnBuild(Shape inputShape, Random random) => inputShape;
        public override Tensor Forward(Tensor x, bool training) => throw new NotImplementedException();
        public override Tensor Backward(Tensor dy) => throw new NotImplementedException();
    }

    [Fact]
    public void An_unsupported_layer_is_refused_by_name_and_no_file_is_written()
    {
        var model = Built([3], new Dense(2), new Square("my_square"));
        string path = Path.Combine(Path.GetTempPath(), $"strata-onnx-{Guid.NewGuid():N}.onnx");
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model, path));
        Assert.Contains("my_square", error.Message);
        Assert.Contains("Square", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Export_to_a_file_replaces_it_whole_and_leaves_no_temporary_file()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"strata-onnx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "model.onnx");
            File.WriteAllText(path, "an older, longer file that must disappear entirely ...........................");
            var model = SmallCnn();
            OnnxExporter.Export(model, path);
            byte[] written = File.ReadAllBytes(path);
            Assert.Equal(OnnxExporter.ExportToBytes(model), written);
            Assert.Equal(["model.onnx"], Directory.GetFiles(directory).Select(Path.GetFileName));
            var (values, _) = Run(written, Random(new Shape(2, 6, 6, 1), seed: 3));
            Assert.Equal(6, values.Length);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Export_to_a_stream_writes_the_same_bytes()
    {
        var model = SmallCnn();
        using var stream = new MemoryStream();
        OnnxExporter.Export(model, stream);
        Assert.Equal(OnnxExporter.ExportToBytes(model), stream.ToArray());
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => OnnxExporter.ExportToBytes(null!));
        Assert.Throws<ArgumentNullException>(() => OnnxExporter.Export(SmallCnn(), (Stream)null!));
        Assert.ThrowsAny<ArgumentException>(() => OnnxExporter.Export(SmallCnn(), " "));
    }
}
