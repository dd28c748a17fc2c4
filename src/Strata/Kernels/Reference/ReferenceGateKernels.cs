namespace Strata.Kernels.Reference;

/// <summary>
/// Scalar twins of <see cref="GateKernels"/>, written for clarity with the runtime's σ and tanh, used by tests only.
/// Layouts as there: gates side by side in each row, [batch, k·units]; states [batch, units].
/// </summary>
internal static class ReferenceGateKernels
{
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    public static void LstmForward(ReadOnlySpan<float> z, ReadOnlySpan<float> cPrev, int batch, int units,
        Span<float> a, Span<float> c, Span<float> phiC, Span<float> h)
    {
        for (int n = 0; n < batch; n++)
            for (int j = 0; j < units; j++)
                LstmForwardElement(z, cPrev, n * 4 * units + j, n * units + j, units, a, c, phiC, h);
    }

    /// <summary>One unit of one row: g at index <paramref name="gi"/> of gate i, s at index <paramref name="si"/> of the states.</summary>
    public static void LstmForwardElement(ReadOnlySpan<float> z, ReadOnlySpan<float> cPrev, int gi, int si, int units,
        Span<float> a, Span<float> c, Span<float> phiC, Span<float> h)
    {
        float i = Sigmoid(z[gi]), f = Sigmoid(z[gi + units]), g = MathF.Tanh(z[gi + 2 * units]), o = Sigmoid(z[gi + 3 * units]);
        a[gi] = i;
        a[gi + units] = f;
        a[gi + 2 * units] = g;
        a[gi + 3 * units] = o;
        float cell = f * cPrev[si] + i * g;
        float phi = MathF.Tanh(cell);
        c[si] = cell;
        phiC[si] = phi;
        h[si] = o * phi;
    }

    public static void LstmBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> phiC, ReadOnlySpan<float> dH,
        int batch, int units, Span<float> dC, Span<float> dZ)
    {
        for (int n = 0; n < batch; n++)
            for (int j = 0; j < units; j++)
                LstmBackwardElement(a, cPrev, phiC, dH, n * 4 * units + j, n * units + j, units, dC, dZ);
    }

    public static void LstmBackwardElement(ReadOnlySpan<float> a, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> phiC, ReadOnlySpan<float> dH,
        int gi, int si, int units, Span<float> dC, Span<float> dZ)
    {
        float i = a[gi], f = a[gi + units], g = a[gi + 2 * units], o = a[gi + 3 * units];
        float dh = dH[si], phi = phiC[si];
        float dc = dC[si] + dh * o * (1f - phi * phi);
        dZ[gi] = dc * g * i * (1f - i);
        dZ[gi + units] = dc * cPrev[si] * f * (1f - f);
        dZ[gi + 2 * units] = dc * i * (1f - g * g);
        dZ[gi + 3 * units] = dh * phi * o * (1f - o);
        dC[si] = dc * f;
    }

    public static void GruForward(Span<float> z, ReadOnlySpan<float> rec, ReadOnlySpan<float> hPrev, int batch, int units,
        Span<float> a, Span<float> h)
    {
        for (int n = 0; n < batch; n++)
            for (int j = 0; j < units; j++)
                GruForwardElement(z, rec, hPrev, n * 3 * units + j, n * units + j, units, a, h);
    }

    public static void GruForwardElement(Span<float> z, ReadOnlySpan<float> rec, ReadOnlySpan<float> hPrev, int gi, int si, int units,
        Span<float> a, Span<float> h)
    {
        float sz = z[gi] + rec[gi], sr = z[gi + units] + rec[gi + units];
        float u = Sigmoid(sz), r = Sigmoid(sr);
        float s = z[gi + 2 * units] + r * rec[gi + 2 * units];
        float cand = MathF.Tanh(s);
        z[gi] = sz;
        z[gi + units] = sr;
        z[gi + 2 * units] = s;
        a[gi] = u;
        a[gi + units] = r;
        a[gi + 2 * units] = cand;
        h[si] = cand + u * (hPrev[si] - cand);
    }

    public static void GruBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> rec, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dH,
        int batch, int units, Span<float> dZ, Span<float> dR, Span<float> dHPrev)
    {
        for (int n = 0; n < batch; n++)
            for (int j = 0; j < units; j++)
                GruBackwardElement(a, rec, hPrev, dH, n * 3 * units + j, n * units + j, units, dZ, dR, dHPrev);
    }

    public static void GruBackwardElement(ReadOnlySpan<float> a, ReadOnlySpan<float> rec, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dH,
        int gi, int si, int units, Span<float> dZ, Span<float> dR, Span<float> dHPrev)
    {
        float u = a[gi], r = a[gi + units], cand = a[gi + 2 * units], dh = dH[si];
        float ds = dh * (1f - u) * (1f - cand * cand);
        float dzu = dh * (hPrev[si] - cand) * u * (1f - u);
        float dzr = ds * rec[gi + 2 * units] * r * (1f - r);
        dZ[gi] = dR[gi] = dzu;
        dZ[gi + units] = dR[gi + units] = dzr;
        dZ[gi + 2 * units] = ds;
        dR[gi + 2 * units] = ds * r;
        dHPrev[si] = dh * u;
    }
}
