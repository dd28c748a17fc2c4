using Strata.Kernels;
using Strata.Kernels.Reference;
using Strata.Tests.Kernels.Simd;

namespace Strata.Tests.Kernels;

/// <summary>The fused optimizer updates at every width against their scalar twins, on awkward lengths.</summary>
public class OptimizerKernelsTests
{
    private static float[] Values(Random random, int n, float offset = 0) =>
        Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f + offset).ToArray();

    private static void Close(float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 2e-6f * Math.Max(1f, Math.Abs(expected[i])), $"[{i}] {actual[i]} vs {expected[i]}");
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Sgd_and_momentum_match_their_twins(int lanes)
    {
        using var forced = Widths.Force(lanes);
        foreach (int n in Widths.AwkwardLengths)
        {
            var random = new Random(n);
            float[] g = Values(random, n), w1 = Values(random, n), v1 = Values(random, n);
            float[] w2 = (float[])w1.Clone(), v2 = (float[])v1.Clone();
            OptimizerKernels.Sgd(g, 0.05f, w1);
            ReferenceOptimizerKernels.Sgd(g, 0.05f, w2);
            Close(w2, w1);
            foreach (bool nesterov in new[] { false, true })
            {
                OptimizerKernels.SgdMomentum(g, 0.05f, 0.9f, nesterov, v1, w1);
                ReferenceOptimizerKernels.SgdMomentum(g, 0.05f, 0.9f, nesterov, v2, w2);
                Close(v2, v1);
                Close(w2, w1);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Adam_matches_its_twin(int lanes)
    {
        using var forced = Widths.Force(lanes);
        foreach (int n in Widths.AwkwardLengths)
        {            var random = new Random(n);
            float[] g = Values(random, n), w1 = Values(random, n), m1 = Values(random, n), v1 = Values(random, n, 1f);
            float[] w2 = (float[])w1.Clone(), m2 = (float[])m1.Clone(), v2 = (float[])v1.Clone();
            OptimizerKernels.Adam(g, 0.5f, 0.9f, 0.999f, 0.01f, 1e-7f, 0.001f, m1, v1, w1);
            ReferenceOptimizerKernels.Adam(g, 0.5f, 0.9f, 0.999f, 0.01f, 1e-7f, 0.001f, m2, v2, w2);
            Close(m2, m1);
            Close(v2, v1);
            Close(w2, w1);
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void RmsProp_matches_its_twin(int lanes)
    {
        using var forced = Widths.Force(lanes);
        foreach (int n in Widths.AwkwardLengths)
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

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Nadam_matches_its_twin(int lanes)
    {
        using var forced = Widths.Force(lanes);
        foreach (int n in Widths.AwkwardLengths)
        {
            var random = new Random(n);
            float[] g = Values(random, n), w1 = Values(random, n), m1 = Values(random, n), v1 = Values(random, n, 1f);
            float[] w2 = (float[])w1.Clone(), m2 = (float[])m1.Clone(), v2 = (float[])v1.Clone();
            OptimizerKernels.Nadam(g, 0.5f, 0.9f, 0.999f, 0.01f, 1e-7f, 1.7f, 0.9f, 1.2f, m1, v1, w1);
            ReferenceOptimizerKernels.Nadam(g, 0.5f, 0.9f, 0.999f, 0.01f, 1e-7f, 1.7f, 0.9f, 1.2f, m2, v2, w2);
            Close(m2, m1);
            Close(v2, v1);
            Close(w2, w1);
        }
    }
}
