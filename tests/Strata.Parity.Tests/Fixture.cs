using System.Text.Json;

namespace Strata.Parity.Tests;

/// <summary>Reads a fixture written by a generator under tools/fixtures (PyTorch; never needed to run the tests).</summary>
internal static class Fixture
{
    public static JsonElement Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        using var stream = File.OpenRead(path);
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    public static float[] Floats(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(v => v.GetSingle()).ToArray();

    public static int[] Ints(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    /// <summary>|a − b| ≤ tol·max(|b|, 1) elementwise, with the first offender in the message.</summary>
    public static void Close(string what, float[] expected, ReadOnlySpan<float> actual, double tolerance = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"{what}[{i}]: PyTorch {expected[i]}, Strata {actual[i]}");
        }
    }
}
