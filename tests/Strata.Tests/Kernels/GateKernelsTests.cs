using Strata.Kernels;
using Strata.Kernels.Reference;
using Strata.Tests.Kernels.Simd;

namespace Strata.Tests.Kernels;

/// <summary>The fused LSTM and GRU cell kernels at every width against their scalar twins, for every unit count 1..40 (vector bodies and tails).</summary>
public class GateKernelsTests
{
    private static float[] Values(int n, int seed, float spread = 8f, bool special = false)
    {
        var random = new Random(seed);
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e-30f, -60f, 60f, 1e-4f];
        var v = new float[n];
        for (int i = 0; i < n; i++)
            v[i] = special && i % 13 == 5 ? specials[i % specials.Length] : (float)((random.NextDouble() * 2 - 1) * spread);
        return v;
    }

    private static void Same(string what, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i])) Assert.True(float.IsNaN(actual[i]), $"{what}[{i}]: expected NaN, got {actual[i]}");
            else Assert.True(expected[i] == actual[i] || Math.Abs(expected[i] - actual[i]) <= 1e-6f * Math.Max(1f, Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }

    public static TheoryData<int, int> WidthsAndBatches()
    {
        var data = new TheoryData<int, int>();
        foreach (int lanes in new[] { 1, 4, 8, 16 })
        {
            data.Add(lanes, 1);
            data.Add(lanes, 3);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndBatches))]
    public void Lstm_kernels_match_their_twins(int lanes, int batch)
    {
        using var forced = Widths.Force(lanes);
        for (int units = 1; units <= 40; units++)
        {
            int gates = batch * 4 * units, states = batch * units;
            float[] z = Values(gates, units, special: true), cPrev = Values(states, units + 100, 2f);
            float[] a1 = new float[gates], c1 = new float[states], p1 = new float[states], h1 = new float[states];
            float[] a2 = new float[gates], c2 = new float[states], p2 = new float[states], h2 = new float[states];
            GateKernels.LstmForward(z, cPrev, batch, units, a1, c1, p1, h1);
            ReferenceGateKernels.LstmForward(z, cPrev, batch, units, a2, c2, p2, h2);
            Same("a", a2, a1);
            Same("c", c2, c1);
            Same("phiC", p2, p1);
            Same("h", h2, h1);

            float[] dH = Values(states, units + 200, 2f), dC1 = Values(states, units + 300, 2f), dC2 = dC1.ToArray();
            float[] dZ1 = new float[gates], dZ2 = new float[gates];
            GateKernels.LstmBackward(a2, cPrev, p2, dH, batch, units, dC1, dZ1);
            ReferenceGateKernels.LstmBackward(a2, cPrev, p2, dH, batch, units, dC2, dZ2);
            Same("dZ", dZ2, dZ1);
            Same("dC", dC2, dC1);
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndBatches))]
    public void Gru_kernels_match_their_twins(int lanes, int batch)
    {
        using var forced = Widths.Force(lanes);
        for (int units = 1; units <= 40; units++)
        {
            int gates = batch * 3 * units, states = batch * units;
            float[] z1 = Values(gates, units, special: true), z2 = z1.ToArray(), rec = Values(gates, units + 50, 3f), hPrev = Values(states, units + 100, 1f);
            float[] a1 = new float[gates], h1 = new float[states], a2 = new float[gates], h2 = new float[states];
            GateKernels.GruForward(z1, rec, hPrev, batch, units, a1, h1);
            ReferenceGateKernels.GruForward(z2, rec, hPrev, batch, units, a2, h2);
            Same("z", z2, z1);
            Same("a", a2, a1);
            Same("h", h2, h1);

            float[] dH = Values(states, units + 200, 2f);
            float[] dZ1 = new float[gates], dR1 = new float[gates], dP1 = new float[states];
            float[] dZ2 = new float[gates], dR2 = new float[gates], dP2 = new float[states];
            GateKernels.GruBackward(a2, rec, hPrev, dH, batch, units, dZ1, dR1, dP1);
            ReferenceGateKernels.GruBackward(a2, rec, hPrev, dH, batch, units, dZ2, dR2, dP2);
            Same("dZ", dZ2, dZ1);
            Same("dR", dR2, dR1);
            Same("dHPrev", dP2, dP1);
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Vector_tanh_and_sigmoid_are_accurate_everywhere_and_saturate(int lanes)
    {
        using var forced = Widths.Force(lanes);
        // The candidate g = tanh(z_g) and the input gate i = σ(z_i) of an LSTM row, over 32 units (two full vectors).
        float[] xs = [0f, -0f, 1e-6f, -1e-6f, 1e-3f, -0.01f, 0.3f, -0.7f, 1f, -2f, 5f, -9f, 20f, -40f, 90f, -100f,
            float.PositiveInfinity, float.NegativeInfinity, 3e-8f, 0.05f, -0.2f, 2.5f, -3.5f, 7f, 0.9f, -0.45f, 1.7f, -1.1f, 12f, -15f, 0.125f, -0.0625f];
        int units = xs.Length;
        var z = new float[4 * units];
        xs.CopyTo(z, 0);
        xs.CopyTo(z, 2 * units);
        float[] a = new float[4 * units], c = new float[units], p = new float[units], h = new float[units];
        GateKernels.LstmForward(z, new float[units], 1, units, a, c, p, h);
        for (int j = 0; j < units; j++)
        {
            Assert.True(Math.Abs(Math.Tanh(xs[j]) - a[2 * units + j]) <= 2e-7, $"tanh({xs[j]}) = {Math.Tanh(xs[j])}, got {a[2 * units + j]}");
            Assert.True(Math.Abs(1 / (1 + Math.Exp(-(double)xs[j])) - a[j]) <= 2e-7, $"σ({xs[j]}), got {a[j]}");
        }
        // A dense sweep over [−20, 20] and tiny values: within 2e-7 absolute and, for tanh, 1e-6 relative.
        var sweep = new float[4 * 4096];
        for (int j = 0; j < 4096; j++)
        {
            sweep[j] = -20f + 40f * j / 4095f;
            sweep[2 * 4096 + j] = j % 2 == 0 ? sweep[j] : MathF.ScaleB(1f, -(j % 60)) * (j % 4 == 1 ? 1 : -1);
        }
        var sa = new float[4 * 4096];
        GateKernels.LstmForward(sweep, new float[4096], 1, 4096, sa, new float[4096], new float[4096], new float[4096]);
        for (int j = 0; j < 4096; j++)
        {
            double x = sweep[j], xt = sweep[2 * 4096 + j], tanh = Math.Tanh(xt);
            Assert.True(Math.Abs(1 / (1 + Math.Exp(-x)) - sa[j]) <= 2e-7, $"σ({x}), got {sa[j]}");
            Assert.True(Math.Abs(tanh - sa[2 * 4096 + j]) <= Math.Max(2e-7 * Math.Min(1, 10 * Math.Abs(tanh)), 1e-6 * Math.Abs(tanh)),
                $"tanh({xt}) = {tanh}, got {sa[2 * 4096 + j]}");
        }
        Assert.Equal(1f, a[2 * units + 16]);
        Assert.Equal(-1f, a[2 * units + 17]);
        Assert.Equal(1f, a[16]);
        Assert.Equal(0f, a[17]);
    }
}
