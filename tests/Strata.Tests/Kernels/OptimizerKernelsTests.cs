using Strata.Kernels;

namespace Strata.Tests.Kernels;

/// <summary>The fused Adam and RMSprop kernels against their scalar twins, for every length across the vector width.</summary>
public class OptimizerKernelsTests
{
    private static float[] Values(Random random, int n, float offset = 0) =>
        Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f + offset).ToArray();

    private static void Close(float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 2e-6f * Math.Max(1f, Math.Abs(expected[i])), $"[{i}] {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void Adam_matches_its_twin()
    {
        for (int n = 0; n <= 70; n++)
        {
            var random = new Random(n);
            float[] g = Values(random, n), w1 = Values(random, n), m1 = Values(random, n), v1 = Values(random, n, 1f);
            float[] w2 = (float[])w1.Clone(), m2 = (float[])m1.Clone(), v2 = (float[])v1.Clone();
            OptimizerKernels.Adam(g, 0.5f, 0.9f, 0.999f, 0.01f, 1e-7f, 0.001f, m1, v1, w1);
            ReferenceOptimizerKernels.Adam(g, 0.5f, 0.9f, 0.999f, 0.01f, 1e-7f, 0.001f, m2, v2, w2);
            Close(m2, m1);
            Close(v2, v1);
            Close(w2, w1);
        }
    }

    [Fact]
    public void RmsProp_matches_its_twin()
    {
        for (int n = 0; n <= 70; n++)
        {
            var random = new Random(n);
            float[] g = Values(random, n), w1 = Values(random, n), v1 = Values(random, n, 1f);
            float[] w2 = (float[])w1.Clone(), v2 = (float[])v1.Clone();
            OptimizerKernels.RmsProp(g, 0.5f, 0.9f, 0.01f, 1e-7f, v1, w1);
            ReferenceOptimizerKernels.RmsProp(g, 0.5f, 0.9f, 0.01f, 1e-7f, v2, w2);
            Close(v2, v1);
            Close(w2, w1);
        }
    }
}
