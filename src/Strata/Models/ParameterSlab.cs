namespace Strata;

/// <summary>
/// All trainable weights of a model in one flat array, and their gradients in a mirrored one
/// (llm.c's layout): a global norm, a NaN check or an optimizer update is one pass over memory.
/// </summary>
internal sealed class ParameterSlab
{
    private ParameterSlab(Weight[] weights, float[] values, float[] gradients)
    {
        Weights = weights;
        Values = values;
        Gradients = gradients;
    }

    /// <summary>The trainable weights, in model order; each is a view into the slabs.</summary>
    public Weight[] Weights { get; }

    /// <summary>Every trainable value.</summary>
    public float[] Values { get; }

    /// <summary>Every gradient, at the same offsets as <see cref="Values"/>.</summary>
    public float[] Gradients { get; }

    /// <summary>Moves the weights into fresh slabs, keeping their values.</summary>
    public static ParameterSlab Pack(IEnumerable<Weight> trainable)
    {
        var weights = trainable.ToArray();
        long total = weights.Sum(w => (long)w.Size);
        if (total > Shape.MaxSize)
            throw new InvalidOperationException($"The model has {total} trainable parameters; at most {Shape.MaxSize} fit one slab.");
        var values = new float[total];
        var gradients = new float[total];
        int offset = 0;
        foreach (var w in weights)
        {
            w.Rebind(values, offset, gradients, offset);
            offset += w.Size;
        }
        return new ParameterSlab(weights, values, gradients);
    }

    /// <summary>Sets every gradient to zero (the start of a step; layers accumulate).</summary>
    public void ZeroGradients() => Array.Clear(Gradients);
}
