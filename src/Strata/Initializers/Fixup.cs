using Strata.Kernels;
using Strata.Layers;

namespace Strata;

/// <summary>
/// Fixup initialization (Zhang, Dauphin and Ma 2019, "Fixup Initialization: Residual Learning Without
/// Normalization"), which lets a residual network without BatchNormalization train at depth. A network of L residual
/// branches, each of m weighted layers, whose output is x_L = x_0 + Σ_l F_l(x_l), starts with every F_l = 0 and with
/// each branch's update to the output of order 1/L when every branch layer's weights are scaled by
/// L^(−1/(2m−2)): the gradient step moves the output by Θ(η) however deep the network is. The rules:
/// <list type="number">
/// <item>the classification layer and the last layer of each branch start at 0 (kernel and bias);</item>
/// <item>every other layer of a branch gets He-normal weights, N(0, 2/fan_in), times L^(−1/(2m−2)), and a zero bias;</item>
/// <item>a <see cref="ScalarScale"/> (1) at the end of each branch and a <see cref="ScalarBias"/> (0) before each
/// convolution, linear layer and activation replace BatchNormalization's γ and β (placed by the network, not here).</item>
/// </list>
/// Layers outside the branches (the stem, projection shortcuts) keep their own initialization.
/// </summary>
public static class Fixup
{
    /// <summary>L^(−1/(2m−2)), the factor on the weights of a branch's layers but its last one.</summary>
    /// <param name="branches">L, the residual branches of the network.</param>
    /// <param name="layersPerBranch">m ≥ 2, the weighted layers of a branch.</param>
    public static double BranchScale(int branches, int layersPerBranch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(branches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(layersPerBranch, 2);
        return Math.Pow(branches, -1.0 / (2 * layersPerBranch - 2));
    }

    /// <summary>
    /// Initializes a built network by Fixup's rules: each of <paramref name="branches"/> (its Dense or Conv2D layers in
    /// order, m = its count) and the <paramref name="classifier"/>, drawing the He-normal weights from
    /// <paramref name="seed"/>, branch by branch. L is the number of branches.
    /// </summary>
    /// <exception cref="ArgumentException">A branch with fewer than two layers, or a layer that is not a built Dense or Conv2D.</exception>
    public static void Initialize(IReadOnlyList<IReadOnlyList<Layer>> branches, Layer? classifier = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(branches);
        var random = new Random(seed);
        foreach (var branch in branches) InitializeBranch(branch, branches.Count, random);
        if (classifier is not null) Zero(classifier);
    }

    /// <summary>
    /// One branch of a network of <paramref name="totalBranches"/>: its last layer zeroed, the others He-normal ×
    /// <see cref="BranchScale"/>(L, m) with zero biases.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two layers, or a layer that is not a built Dense or Conv2D.</exception>
    public static void InitializeBranch(IReadOnlyList<Layer> branch, int totalBranches, Random random)
    {
        ArgumentNullException.ThrowIfNull(branch);
        ArgumentNullException.ThrowIfNull(random);
        if (branch.Count < 2)
            throw new ArgumentException($"Fixup: a residual branch needs at least two weighted layers (m ≥ 2, for L^(−1/(2m−2))); got {branch.Count}.", nameof(branch));
        float scale = (float)BranchScale(totalBranches, branch.Count);
        for (int i = 0; i < branch.Count - 1; i++)
        {
            var (kernel, bias) = Weights(branch[i]);
            Initializers.HeNormal.Fill(kernel.Shape, random, kernel.Value);
            ScalarKernels.MultiplyScalar(kernel.Value, scale, kernel.Value);
            bias?.Value.Clear();
        }
        Zero(branch[^1]);
    }

    private static void Zero(Layer layer)
    {
        var (kernel, bias) = Weights(layer);
        kernel.Value.Clear();
        bias?.Value.Clear();
    }

    private static (Weight Kernel, Weight? Bias) Weights(Layer layer) => layer switch
    {
        Dense { IsBuilt: true } d => (d.Kernel, d.Bias),
        Conv2D { IsBuilt: true } c => (c.Kernel, c.Bias),
        Dense or Conv2D => throw new ArgumentException($"Fixup: layer '{layer.Name}' ({layer.TypeName}) is not built; build the model first."),
        _ => throw new ArgumentException($"Fixup initializes Dense and Conv2D layers; '{layer.Name}' is a {layer.TypeName}."),
    };
}
