namespace Strata;

/// <summary>
/// The gradients of one step, one entry per trainable weight (<see cref="Model.ComputeGradients(Tensor, Tensor)"/>),
/// for the custom loop: compute gradients, inspect or clip them, then <c>optimizer.ApplyGradients</c>.
/// The entries are views into the model's gradient slab; the next step overwrites them.
/// </summary>
public sealed class Gradients
{
    internal Gradients(ParameterSlab slab) => Slab = slab;

    internal ParameterSlab Slab { get; }

    /// <summary>Undoes the model's non-gradient state changes of the pass that computed them, when an optimizer refuses them.</summary>
    internal Action? AbandonStep { get; init; }

    /// <summary>The context of the model that computed them; the optimizer applies them there.</summary>
    internal ComputeContext Context { get; set; } = ComputeContext.Default;

    /// <summary>The weights, in model order.</summary>
    public IReadOnlyList<Weight> Weights => Slab.Weights;

    /// <summary>Number of weight tensors.</summary>
    public int Count => Slab.Weights.Length;

    /// <summary>The gradient of weight <paramref name="index"/>.</summary>
    public Span<float> this[int index] => Slab.Weights[index].Gradient;

    /// <summary>All gradients as one span, in model order.</summary>
    public Span<float> Flat => Slab.Gradients;

    /// <summary>The mean loss of the batch they were computed on.</summary>
    public float Loss { get; internal set; }

    /// <summary>‖g‖₂ over all gradients, accumulated in double as clipping does (NaN or ∞ if any gradient is).</summary>
    public float GlobalNorm() => (float)Math.Sqrt(Kernels.ClipKernels.SumOfSquares(Slab.Gradients));
}
