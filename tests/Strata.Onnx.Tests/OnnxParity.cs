using Microsoft.ML.OnnxRuntime;

namespace Strata.Onnx.Tests;

/// <summary>Exports a model, runs it in ONNX Runtime, and compares with Strata's own Predict.</summary>
internal static class OnnxParity
{
    /// <summary>The tolerance the exporter promises: |onnx − strata| ≤ 1e-5·max(1, |strata|).</summary>
    public const double Tolerance = 1e-5;

    /// <summary>Runs an ONNX model on <paramref name="x"/> (Strata's layout) and returns the output with its shape.</summary>
    public static (float[] Values, long[] Shape) Run(byte[] model, Tensor x)
    {
        using var options = new SessionOptions();
        using var session = new InferenceSession(model, options);
        long[] shape = [.. x.Shape.Dims.ToArray().Select(d => (long)d)];
        using var input = OrtValue.CreateTensorValueFromMemory(x.Span.ToArray(), shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [OnnxExporter.InputName], [input], [OnnxExporter.OutputName]);
        var output = outputs[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    /// <summary>
    /// Exports <paramref name="model"/> (opset 17 unless given), runs it on <paramref name="x"/>, and asserts the shape
    /// and every value agree with <c>model.Predict(x)</c> within <see cref="Tolerance"/>. Returns the largest error.
    /// </summary>
    public static double AssertMatches(Model model, Tensor x, int opset = OnnxExporter.DefaultOpset)
    {
        var expected = model.Predict(x);
        byte[] onnx = OnnxExporter.ExportToBytes(model, opset);
        // STRATA_ONNX_DUMP=dir keeps every model the tests run, for outside checkers (tools/onnx/check.py).
        if (Environment.GetEnvironmentVariable("STRATA_ONNX_DUMP") is { Length: > 0 } dump)
        {
            Directory.CreateDirectory(dump);
            File.WriteAllBytes(Path.Combine(dump, $"{model.Name}-opset{opset}-{Guid.NewGuid():N}.onnx"), onnx);
        }
        var (actual, shape) = Run(onnx, x);
        Assert.Equal(expected.Shape.Dims.ToArray().Select(d => (long)d), shape);
        return AssertClose(expected.Span, actual);
    }

    /// <summary>Asserts |a − e| ≤ 1e-5·max(1, |e|) everywhere; NaN anywhere fails. Returns the largest |a − e|.</summary>
    public static double AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i], error = Math.Abs(a - e);
            Assert.False(double.IsNaN(e) || double.IsNaN(a), $"NaN at [{i}]: Strata {e}, ONNX {a}");
            Assert.True(error <= Tolerance * Math.Max(1, Math.Abs(e)), $"[{i}]: Strata {e}, ONNX Runtime {a} (error {error:g3})");
            worst = Math.Max(worst, error);
        }
        return worst;
    }

    /// <summary>A seeded tensor of uniform values in [−scale, scale).</summary>
    public static Tensor Random(Shape shape, int seed, float scale = 2f)
    {
        var random = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return t;
    }

    /// <summary>A built model of <paramref name="layers"/> for per-sample input <paramref name="inputShape"/>, seeded.</summary>
    public static Sequential Built(int[] inputShape, params Strata.Layers.Layer[] layers)
    {
        var model = new Sequential(layers) { Seed = 7 };
        model.Build(new Shape(inputShape));
        return model;
    }

    /// <summary>Fills every weight of the model (including moving statistics) with seeded values away from their defaults.</summary>
    public static void Randomize(Model model, int seed)
    {
        var random = new Random(seed);
        foreach (var weight in model.Layers.SelectMany(l => l.Weights))
        {
            var values = weight.Value;
            bool positive = weight.Name.EndsWith("moving_variance", StringComparison.Ordinal);
            for (int i = 0; i < values.Length; i++)
                values[i] = positive ? (float)(0.2 + 2 * random.NextDouble()) : (float)(random.NextDouble() * 2 - 1);
        }
    }
}
