using Strata.Kernels;
using Strata.Tests.Kernels.Simd;

namespace Strata.Tests.Kernels;

/// <summary>The dropout mask kernel draws exactly the masks of the formula the layer used before it (saved models resume bit for bit).</summary>
public class DropoutKernelsTests
{
    /// <summary>The layer's mask code before the kernel existed, kept verbatim as the definition of the stream.</summary>
    private static float[] FrozenMask(ulong streamSeed, long masksDrawn, float rate, int n)
    {
        static ulong Mix(ulong z)
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        var m = new float[n];
        float keep = 1f / (1f - rate);
        ulong stream = Mix(streamSeed ^ Mix((ulong)masksDrawn + 0x632BE59BD9B4E019UL));
        for (int i = 0; i < m.Length; i++) m[i] = (Mix(stream + (ulong)i) >> 40) * (1f / (1 << 24)) < rate ? 0f : keep;
        return m;
    }

    // Rates on and next to the 2⁻²⁴ grid of u (where the integer threshold could be off by one), and common ones.
    private static readonly float[] Rates =
        [0f, 1f / (1 << 24), 1.5f / (1 << 24), 3f / (1 << 24), 1e-7f, 0.1f, 0.25f, 0.3f, 0.5f, 0.5f + 1f / (1 << 24), 0.9f, 1f - 1f / (1 << 24)];

    [Fact]
    public void Masks_equal_the_frozen_formula_for_many_seeds_rates_and_lengths()
    {
        ulong[] seeds = [0, 1, 7, 12345, uint.MaxValue, ulong.MaxValue, 0x9E3779B97F4A7C15UL];
        long[] masks = [0, 1, 2, 1000, long.MaxValue];
        foreach (ulong seed in seeds)
            foreach (long k in masks)
                foreach (float rate in Rates)
                    foreach (int n in Widths.AwkwardLengths.Where(n => n % 7 == 0 || n > 60))
                    {
                        var mask = new float[n];
                        DropoutKernels.Mask(DropoutKernels.Stream(seed, k), rate, mask);
                        Assert.Equal(FrozenMask(seed, k, rate, n), mask);
                    }
    }

    [Fact]
    public void Long_masks_equal_the_frozen_formula_and_drop_at_the_rate()
    {
        foreach (float rate in Rates)
        {
            var mask = new float[100_000];
            DropoutKernels.Mask(DropoutKernels.Stream(42, 3), rate, mask);
            Assert.Equal(FrozenMask(42, 3, rate, mask.Length), mask);
            Assert.InRange(mask.Count(v => v == 0f) / (double)mask.Length, rate - 0.01, rate + 0.01);
        }
    }

    [Fact]
    public void Apply_multiplies_by_the_mask_and_bad_arguments_are_refused()
    {
        float[] x = [1f, -2f, 3f, 4f, float.NaN], mask = [0f, 2f, 2f, 0f, 2f], y = new float[5];
        DropoutKernels.Apply(x, mask, y);
        Assert.Equal([0f, -4f, 6f, 0f, float.NaN], y);
        Assert.Throws<ArgumentException>(() => DropoutKernels.Apply(x, mask, new float[4]));
        Assert.Throws<ArgumentException>(() => DropoutKernels.Apply(x, new float[4], y));
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutKernels.Mask(1, 1f, y));
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutKernels.Mask(1, float.NaN, y));
    }
}
