using System.CommandLine;
using Strata.Onnx;

namespace Strata.Cli.Commands;

/// <summary><c>strata export MODEL --onnx FILE</c>: the model as an ONNX graph, for ONNX Runtime and other tools.</summary>
internal sealed class ExportCommand : ModelCommand
{
    private readonly Option<string> _onnx = new("--onnx")
    {
        Description = "The ONNX file to write; its input keeps Strata's layout (NHWC images, batch dimension N)",
        HelpName = "FILE",
        Required = true,
    };

    private readonly Option<int> _opset = new("--opset")
    {
        Description = $"ONNX opset, {OnnxExporter.MinimumOpset} to {OnnxExporter.MaximumOpset}",
        DefaultValueFactory = _ => OnnxExporter.DefaultOpset,
        CustomParser = OptionParsers.WholeNumber(OnnxExporter.MinimumOpset, OnnxExporter.MaximumOpset),
    };

    private readonly Option<bool> _fold = new("--fold")
    {
        Description = "Fold BatchNormalization into the neighbouring layers first",
    };

    public ExportCommand(Terminal terminal)
        : base("export", "Export a saved model to ONNX.", terminal)
    {
        Options.Add(_onnx);
        Options.Add(_opset);
        Options.Add(_fold);
    }

    protected override int Execute(ParseResult parsed, Model model)
    {
        string path = parsed.GetValue(_onnx)!;
        int opset = parsed.GetValue(_opset);
        if (parsed.GetValue(_fold)) model = model.FoldBatchNormalization();
        OnnxExporter.Export(model, path, opset);
        Terminal.Out.WriteLine($"ONNX model (opset {opset}, {model.Layers.Count} layers, input (N, {string.Join(", ", model.InputShape.Dims.ToArray())})) written to {path}");
        return 0;
    }
}
