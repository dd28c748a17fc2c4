using System.Reflection;
using Google.Protobuf;
using Strata.Layers;
using Strata.Onnx.Layers;
using Strata.Onnx.Proto;
using Strata.Serialization;

namespace Strata.Onnx;

/// <summary>
/// Writes a built model, Sequential or functional, as an ONNX model for inference (ONNX Runtime, and any other
/// ONNX reader). The ONNX model takes exactly what <see cref="Model.Predict(Tensor, int)"/> takes — input
/// <c>"input"</c> of shape [N, …the model's input shape] in Strata's layout (NHWC for images), N any batch size —
/// and gives what it returns as <c>"output"</c>; a model of several inputs or outputs names each after its layer
/// (Keras's input and output names). Inside, convolution and pooling run in ONNX's NCHW, and a graph stays in NCHW
/// through its merges where every input is. BatchNormalization uses its moving statistics and Dropout (like RandomTranslation) is the
/// identity, as in Predict. A layer called twice is written as two nodes that read one copy of its weights.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The operator-set version written unless another is asked for (ONNX 1.12's; ONNX Runtime ≥ 1.12 reads it).</summary>
    public const int DefaultOpset = 17;

    /// <summary>The oldest operator set supported: Softmax-13 is the first to normalize along a single axis.</summary>
    public const int MinimumOpset = 13;

    /// <summary>The newest operator set supported (every operator we write is unchanged in meaning up to it; tested).</summary>
    public const int MaximumOpset = 21;

    /// <summary>Name of the graph's input.</summary>
    public const string InputName = "input";

    /// <summary>Name of the graph's output.</summary>
    public const string OutputName = "output";

    /// <summary>Name of the symbolic batch dimension of the input and output.</summary>
    public const string BatchDimension = "N";

    /// <summary>Writes the model to <paramref name="path"/> atomically: a crash never leaves a half-written file.</summary>
    /// <param name="model">A built model (trained or not).</param>
    /// <param name="path">The .onnx file to create or replace.</param>
    /// <param name="opset">The ONNX operator-set version, from <see cref="MinimumOpset"/> to <see cref="MaximumOpset"/>.</param>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer or activation has no ONNX export, or the opset is out of range; the message names it.</exception>
    public static void Export(Model model, string path, int opset = DefaultOpset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var proto = BuildModel(model, opset); // every check before the file is touched
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }

    /// <summary>Writes the model to a stream (left open).</summary>
    /// <inheritdoc cref="Export(Model, string, int)"/>
    public static void Export(Model model, Stream stream, int opset = DefaultOpset)
    {
        ArgumentNullException.ThrowIfNull(stream);
        BuildModel(model, opset).WriteTo(stream);
    }

    /// <summary>The ONNX model as bytes, e.g. for <c>new InferenceSession(bytes)</c>.</summary>
    /// <inheritdoc cref="Export(Model, string, int)"/>
    public static byte[] ExportToBytes(Model model, int opset = DefaultOpset) => BuildModel(model, opset).ToByteArray();

    /// <summary>The ONNX IR version that goes with an operator set: the one of the ONNX release that introduced it.</summary>
    internal static long IrVersionFor(int opset) => opset switch
    {
        <= 14 => 7,  // ONNX 1.8–1.9
        <= 18 => 8,  // ONNX 1.10–1.13
        <= 20 => 9,  // ONNX 1.14–1.15
        _ => 10,     // ONNX 1.16–1.17
    };

    internal static ModelProto BuildModel(Model model, int opset)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (opset < MinimumOpset || opset > MaximumOpset)
        {
            throw new NotSupportedException(
                $"ONNX opset {opset} is not supported; use {MinimumOpset} to {MaximumOpset} (default {DefaultOpset}). " +
                "Before opset 13, Softmax flattened every axis from its axis on instead of normalizing one axis.");
        }
        if (!model.IsBuilt)
        {
            throw new InvalidOperationException(
                $"Model '{model.Name}' is not built, so it has no weights to export; build it (Build, Compile with an input shape, Fit or Predict) first.");
        }

        string[] inputNames = model.Inputs.Count == 1 ? [InputName] : [.. model.Inputs.Select(t => t.Layer.Name)];
        string[] outputNames = model.OutputNames.Count == 1 ? [OutputName] : [.. model.OutputNames];
        var builder = new OnnxGraphBuilder(model.Name, [.. inputNames, .. outputNames]);
        var context = new ExportContext(builder, inputNames[0], model.InputShapes[0]);
        var values = new Dictionary<Node, ExportedValue>();
        for (int i = 0; i < inputNames.Length; i++)
            values[model.Inputs[i].Node] = new ExportedValue(inputNames[i], ValueLayout.Strata, model.InputShapes[i], default);
        foreach (var node in model.Nodes)
        {
            if (node.Layer is Merge merge)
            {
                MergeExport.Export(context, merge, [.. node.Inputs.Select(t => values[t.Node])]);
            }
            else
            {
                context.Restore(values[node.Inputs[0].Node]);
                ExportLayer(context, node.Layer);
            }
            values[node] = context.State;
        }
        for (int k = 0; k < outputNames.Length; k++)
        {
            var output = model.Outputs[k].Node;
            context.Restore(values[output]);
            builder.RenameValue(context.InStrataLayout(output.Origin.Name), outputNames[k]);
        }

        var graph = builder.Graph;
        for (int i = 0; i < inputNames.Length; i++)
            graph.Input.Add(OnnxGraphBuilder.BatchedFloatValue(inputNames[i], BatchDimension, model.InputShapes[i].Dims));
        for (int k = 0; k < outputNames.Length; k++)
            graph.Output.Add(OnnxGraphBuilder.BatchedFloatValue(outputNames[k], BatchDimension, model.OutputShapes[k].Dims));
        graph.DocString = $"Exported from Strata model '{model.Name}': input in Strata's layout (NHWC for images).";

        var proto = new ModelProto
        {
            IrVersion = IrVersionFor(opset),
            ProducerName = "Strata",
            ProducerVersion = ProducerVersion(),
            ModelVersion = 1,
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return proto;
    }

    private static void ExportLayer(ExportContext context, Layer layer)
    {
        switch (layer)
        {
            case Dense dense: DenseExport.Export(context, dense); break;
            case Conv2D conv: Conv2DExport.Export(context, conv); break;
            case BatchNormalization bn: BatchNormalizationExport.Export(context, bn); break;
            case Normalization normalization: NormalizationExport.Export(context, normalization); break;
            case PerSampleNormalization normalization: PerSampleNormalizationExport.Export(context, normalization); break;
            case Activation activation: ActivationExport.Export(context, activation); break;
            case Pooling2D pooling: PoolingExport.Export(context, pooling); break;
            case GlobalAveragePooling2D global: PoolingExport.Export(context, global); break;
            case ZeroPadding2D padding: ZeroPadding2DExport.Export(context, padding); break;
            case ScalarBias bias: ScalarExport.Export(context, bias); break;
            case ScalarScale scale: ScalarExport.Export(context, scale); break;
            case Flatten flatten: ShapeExport.Export(context, flatten); break;
            case Reshape reshape: ShapeExport.Export(context, reshape); break;
            case RandomLayer random: ShapeExport.Export(context, random); break;
            case Recurrent recurrent: RecurrentExport.Export(context, recurrent); break;
            default:
                throw new NotSupportedException(
                    $"Layer '{layer.Name}' ({layer.TypeName}) has no ONNX export: the exporter knows Dense, Conv2D, BatchNormalization, LayerNormalization, GroupNormalization, Normalization, " +
                    "Activation, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, ZeroPadding2D, ScalarBias, ScalarScale, Flatten, Reshape, Dropout, RandomTranslation, SimpleRnn, Lstm, Gru, Add, Multiply and Concatenate.");
        }
    }

    private static string ProducerVersion() =>
        typeof(Sequential).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Sequential).Assembly.GetName().Version?.ToString() ?? "";
}
