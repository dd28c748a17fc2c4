using System.Globalization;
using Strata.Cli;
using Strata.Optimizers;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests;

/// <summary><c>strata export MODEL --onnx FILE</c> on a saved model, run in ONNX Runtime.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("strata-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        int exitCode = Program.Run(args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Exports_a_saved_model_that_onnx_runtime_runs_alike(bool fold)
    {
        var model = Presets.Create("mlp-bn", seed: 3);
        model.Compile(new Sgd(), Losses.SparseCategoricalCrossentropy);
        var x = Random(new Shape(64, 28, 28), seed: 4, scale: 1f);
        var y = new Tensor(new Shape(64));
        for (int i = 0; i < 64; i++) y.Span[i] = i % 10;
        model.Fit(x, y, epochs: 1, batchSize: 16);
        string saved = Path.Combine(_dir, "model.safetensors"), onnx = Path.Combine(_dir, "model.onnx");
        model.Save(saved);

        var run = fold ? Run("export", saved, "--onnx", onnx, "--fold") : Run("export", saved, "--onnx", onnx);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"{(fold ? 4 : 7)} layers, input (N, 28, 28)) written to {onnx}", run.Stdout, StringComparison.Ordinal);
        var (values, shape) = OnnxParity.Run(File.ReadAllBytes(onnx), x);
        Assert.Equal([64L, 10], shape);
        AssertClose(model.Predict(x).Span, values);
    }

    [Fact]
    public void A_missing_model_is_one_error_line_and_writes_nothing()
    {
        var run = Run("export", Path.Combine(_dir, "none.safetensors"), "--onnx", Path.Combine(_dir, "x.onnx"));
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "x.onnx")));
    }
}
