using Strata.Layers;

namespace Strata.Tests;

public class FixupTests
{
    [Theory]
    [InlineData(3, 2, 0.57735026918962573)]  // 3^(−1/2)
    [InlineData(16, 3, 0.5)]                 // 16^(−1/4)
    [InlineData(8, 2, 0.35355339059327379)]  // 8^(−1/2)
    [InlineData(27, 4, 0.57735026918962573)] // 27^(−1/6) = 3^(−1/2)
    [InlineData(1, 2, 1.0)]
    [InlineData(10000, 2, 0.01)]             // the paper's 10,000-layer network: 10⁴^(−1/2)
    public void Branch_scale_is_L_to_the_minus_one_over_2m_minus_2(int branches, int layers, double expected) =>
        Assert.Equal(expected, Fixup.BranchScale(branches, layers), 12);

    [Fact]
    public void Branch_scale_needs_a_branch_and_two_layers()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Fixup.BranchScale(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Fixup.BranchScale(4, 1));
    }

    private static Conv2D[] Branch(int layers)
    {
        var convs = Enumerable.Range(0, layers).Select(_ => new Conv2D(16, 3, padding: "same")).ToArray();
        foreach (var conv in convs) conv.Build(new Shape(5, 5, 16), new Random(1));
        return convs;
    }

    [Fact]
    public void A_branch_is_he_normal_times_the_scale_then_zero_at_its_end()
    {
        // The same draws for L = 1 (scale 1) and L = 16 with m = 3 (scale 16^(−1/4) = 1/2): every value halves.
        var alone = Branch(3);
        Fixup.InitializeBranch(alone, totalBranches: 1, new Random(5));
        var deep = Branch(3);
        Fixup.InitializeBranch(deep, totalBranches: 16, new Random(5));
        for (int l = 0; l < 2; l++)
        {
            float[] a = alone[l].Kernel.Value.ToArray(), d = deep[l].Kernel.Value.ToArray();
            for (int i = 0; i < a.Length; i++) Assert.Equal(a[i] * 0.5f, d[i]);
            Assert.All(deep[l].Bias!.Value.ToArray(), b => Assert.Equal(0f, b));
        }
        // He-normal: standard deviation √(2/fan_in), fan_in = 3·3·16 = 144 (2304 draws: within 5%).
        double std = Math.Sqrt(alone[0].Kernel.Value.ToArray().Average(v => (double)v * v));
        Assert.InRange(std, 0.95 * Math.Sqrt(2.0 / 144), 1.05 * Math.Sqrt(2.0 / 144));
        Assert.All(deep[2].Kernel.Value.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(deep[2].Bias!.Value.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Initialize_counts_the_branches_and_zeroes_the_classifier()
    {
        // L = 4 branches of m = 2: scale 4^(−1/2) = 1/2 against a single branch drawn from the same generator state.
        var branches = Enumerable.Range(0, 4).Select(_ => (IReadOnlyList<Layer>)Branch(2)).ToArray();
        var classifier = new Dense(10);
        classifier.Build(new Shape(16), new Random(2));
        Fixup.Initialize(branches, classifier, seed: 9);
        var reference = Branch(2);
        Fixup.InitializeBranch(reference, totalBranches: 1, new Random(9));
        float[] expected = reference[0].Kernel.Value.ToArray(), actual = ((Conv2D)branches[0][0]).Kernel.Value.ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i] * 0.5f, actual[i]);
        Assert.All(classifier.Kernel.Value.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(classifier.Bias!.Value.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Layers_fixup_cannot_initialize_are_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => Fixup.InitializeBranch([new Conv2D(2, 3, name: "c1"), new Conv2D(2, 3, name: "c2")], 2, new Random(1)));
        Assert.Contains("'c1'", e.Message);
        Assert.Contains("not built", e.Message);
        var bias = new ScalarBias(name: "sb");
        bias.Build(new Shape(2));
        e = Assert.Throws<ArgumentException>(() => Fixup.Initialize([[.. Branch(1), bias]]));
        Assert.Contains("'sb'", e.Message);
        e = Assert.Throws<ArgumentException>(() => Fixup.InitializeBranch(Branch(1), 2, new Random(1)));
        Assert.Contains("m ≥ 2", e.Message);
    }
}
