namespace Strata.Optimizers;

/// <summary>
/// Updates a model's trainable weights from their gradients. Its state (velocities, moments) mirrors the
/// model's parameter slab, so an update is one fused pass over memory. An optimizer serves one model.
/// </summary>
public abstract class Optimizer
{
    private ParameterSlab? _slab;

    /// <param name="learningRate">Step size; must be positive and finite.</param>
    protected Optimizer(float learningRate) => LearningRate = learningRate;

    /// <summary>Step size.</summary>
    public float LearningRate
    {
        get;
        set
        {
            if (!(value > 0) || !float.IsFinite(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be positive and finite.");
            field = value;
        }
    }

    /// <summary>Number of updates applied so far (Keras's <c>iterations</c>).</summary>
    public long Iterations { get; private set; }

    /// <summary>Keras's name (<c>SGD</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Applies one update from <paramref name="gradients"/> to the weights they belong to.</summary>
    public void ApplyGradients(Gradients gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        var slab = gradients.Slab;
        if (_slab is null)
        {
            _slab = slab;
            CreateState(slab.Values.Length);
        }
        else if (!ReferenceEquals(_slab, slab))
        {
            throw new InvalidOperationException(
                $"This {Name} optimizer holds state for another model (or an earlier compile of this one); create a new optimizer per model.");
        }
        slab.Update(this);
        Iterations++;
    }

    /// <summary>Allocates per-parameter state once, sized to the model's parameter slab.</summary>
    protected virtual void CreateState(int parameterCount) { }

    /// <summary>
    /// One update of a contiguous range of the parameter slab: w ← f(w, g, state). <paramref name="offset"/> is
    /// the range's position in the slab, where the optimizer's own state for it lives. Ranges of one step may
    /// run on different threads at once and never overlap.
    /// </summary>
    protected abstract void Update(int offset, Span<float> parameters, ReadOnlySpan<float> gradients);

    internal void UpdateRange(int offset, Span<float> parameters, ReadOnlySpan<float> gradients) => Update(offset, parameters, gradients);
}
