using Strata.Kernels;
using Strata.Kernels.Reference;
using Strata.Tests.Kernels.Simd;

namespace Strata.Tests.Kernels;

/// <summary>Every vectorized activation kernel at every width against its scalar twin, on awkward lengths, with special values.</summary>
public class ActivationKernelsTests
{
    private static float[] Values(int n, int seed)
    {
        var random = new Random(seed);
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e-30f, -50f, 50f];
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i % 17 == 5 ? special[i % special.Length] : (float)(random.NextDouble() * 8 - 4);
        return v;
    }

    private static void Same(float[] expected, float[] actual, int n)
    {
        for (int i = 0; i < n; i++)
        {
            if (float.IsNaN(expected[i])) Assert.True(float.IsNaN(actual[i]), $"[{i}] of {n}: expected NaN, got {actual[i]}");
            else Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[i])) || expected[i] == actual[i],
                $"[{i}] of {n}: expected {expected[i]}, got {actual[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Elementwise_kernels_match_their_twins_for_every_length(int lanes)
    {
        using var forced = Widths.Force(lanes);
        foreach (int n in Widths.AwkwardLengths)
        {
            float[] x = Values(n, n), dy = Values(n, n + 1000);
            float[] a = new float[n], b = new float[n], ga = new float[n], gb = new float[n];

            ActivationKernels.LeakyReluForward(x, 0.2f, a);
            ReferenceActivationKernels.LeakyReluForward(x, 0.2f, b);
            Same(b, a, n);
            ActivationKernels.LeakyReluBackward(x, dy, 0f, ga);
            ReferenceActivationKernels.LeakyReluBackward(x, dy, 0f, gb);
            Same(gb, ga, n);

            ActivationKernels.EluForward(x, 1.67326324f, 1.05070098f, a);
            ReferenceActivationKernels.EluForward(x, 1.67326324f, 1.05070098f, b);
            Same(b, a, n);
            ActivationKernels.EluBackward(x, b, dy, 1.67326324f, 1.05070098f, ga);
            ReferenceActivationKernels.EluBackward(x, b, dy, 1.67326324f, 1.05070098f, gb);
            Same(gb, ga, n);

            ActivationKernels.SigmoidBackward(x, dy, ga);
            ReferenceActivationKernels.SigmoidBackward(x, dy, gb);
            Same(gb, ga, n);
            ActivationKernels.TanhBackward(x, dy, ga);
            ReferenceActivationKernels.TanhBackward(x, dy, gb);
            Same(gb, ga, n);
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Kernels_work_in_place(int lanes)
    {
        using var forced = Widths.Force(lanes);
        float[] x = Values(100, 1), expected = new float[100];
        ReferenceActivationKernels.EluForward(x, 1f, 1f, expected);
        float[] inPlace = (float[])x.Clone();
        ActivationKernels.LeakyReluBackward(x, inPlace, 0.1f, inPlace);
        float[] separate = new float[100];
        ReferenceActivationKernels.LeakyReluBackward(x, x, 0.1f, separate);
        Same(separate, inPlace, 100);
    }

    [Fact]
    public void Softmax_matches_its_twin_on_many_row_shapes()
    {
        for (int columns = 1; columns <= 40; columns++)
        {
            int rows = 3;
            float[] x = Values(rows * columns, columns).Select(v => float.IsFinite(v) ? v : 1f).ToArray();
            float[] a = new float[x.Length], b = new float[x.Length];
            ActivationKernels.SoftmaxForward(x, rows, columns, a);
            ReferenceActivationKernels.SoftmaxForward(x, rows, columns, b);
            Same(b, a, x.Length);
            float[] dy = Values(x.Length, 99).Select(v => float.IsFinite(v) ? v : 0f).ToArray();
            float[] ga = new float[x.Length], gb = new float[x.Length];
            ActivationKernels.SoftmaxBackward(a, dy, rows, columns, ga);
            ReferenceActivationKernels.SoftmaxBackward(a, dy, rows, columns, gb);
            for (int i = 0; i < ga.Length; i++) Assert.True(Math.Abs(gb[i] - ga[i]) <= 1e-5f * Math.Max(1f, Math.Abs(gb[i])), $"[{i}] {ga[i]} vs {gb[i]}");
        }
    }

    [Fact]
    public void Mismatched_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ActivationKernels.EluForward(new float[3], 1f, 1f, new float[4]));
    }
}
