using System.Numerics.Tensors;

namespace Strata.Kernels;

/// <summary>
/// Inverted dropout's masks and products. The masks come from a counter-based stream: value i of mask k of a layer
/// seeded s is a hash of (s, k, i), so the whole random state is (s, masks drawn so far), and a model saved with it
/// resumes drawing exactly the masks an uninterrupted run would have drawn. The stream must therefore never change.
/// </summary>
internal static class DropoutKernels
{
    /// <summary>The stream of mask number k of seed s: Mix(s ⊕ Mix(k + 0x632BE59BD9B4E019)).</summary>
    public static ulong Stream(ulong seed, long maskNumber) => Mix(seed ^ Mix((ulong)maskNumber + 0x632BE59BD9B4E019UL));

    /// <summary>
    /// mask[i] = 0 where u &lt; rate and 1/(1 − rate) elsewhere, with u = (Mix(stream + i) &gt;&gt; 40)/2²⁴: the top 24
    /// bits of a SplitMix64 hash, uniform on [0, 1) in steps of 2⁻²⁴.
    /// </summary>
    /// <remarks>
    /// u = k/2²⁴ for the integer k = Mix(stream + i) &gt;&gt; 40, and rate·2²⁴ is exact in float for rate in [0, 1), so
    /// u &lt; rate ⇔ k &lt; rate·2²⁴ ⇔ k &lt; ⌈rate·2²⁴⌉ (k is an integer): one integer compare per value, the same masks
    /// as comparing u in float.
    /// The loop is scalar: the hash needs 64×64-bit lane multiplies, which x86 has only with AVX-512DQ and NEON not
    /// at all; elsewhere each must be composed from 32-bit partial products with code per instruction set, so a
    /// portable vector body could not promise to beat the scalar hash (three multiplies per value).
    /// </remarks>
    public static void Mask(ulong stream, float rate, Span<float> mask)
    {
        // mask: [n]
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        ulong dropBelow = (ulong)MathF.Ceiling(rate * (1 << 24));
        float keep = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++)
            mask[i] = Mix(stream + (ulong)i) >> 40 < dropBelow ? 0f : keep;
    }

    /// <summary>y = x ⊙ mask: the forward pass, and the backward pass as dX = dY ⊙ mask.</summary>
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<float> y)
    {
        // x, mask, y: [n]
        if (mask.Length != x.Length || y.Length != x.Length)
            throw new ArgumentException($"Dropout spans differ in length: x {x.Length}, mask {mask.Length}, y {y.Length}.");
        TensorPrimitives.Multiply(x, mask, y);
    }

    /// <summary>SplitMix64's finalizer (Steele et al. 2014): a bijective 64-bit mix with full avalanche.</summary>
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
