namespace Strata;

/// <summary>How <see cref="Model.LoadWeightsFrom"/> pairs the weights of two models.</summary>
public enum WeightMatching
{
    /// <summary>A weight takes the source's weight of the same name (<c>layer/kernel</c>): layers named alike in both models.</summary>
    ByName,

    /// <summary>
    /// The layers that have weights are paired in order, and their weights in order (Keras's <c>set_weights</c> layer by
    /// layer): two models of the same structure whose layers are named differently.
    /// </summary>
    ByPosition,
}

/// <summary>One weight that could not be loaded because the source's weight has another shape.</summary>
/// <param name="Weight">The weight of the model being loaded.</param>
/// <param name="Source">The source's weight it was paired with.</param>
/// <param name="Expected">The weight's shape.</param>
/// <param name="Found">The source weight's shape.</param>
public sealed record WeightMismatch(string Weight, string Source, Shape Expected, Shape Found);

/// <summary>
/// What a partial load did, as PyTorch's <c>load_state_dict</c> reports it: the weights loaded, the model's weights the
/// source had nothing for (<see cref="Missing"/>), the source's weights nothing took (<see cref="Unexpected"/>), and the
/// pairs whose shapes differ (<see cref="Mismatched"/>, left as they were).
/// </summary>
public sealed record WeightTransferReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected,
    IReadOnlyList<WeightMismatch> Mismatched)
{
    /// <summary>Every weight of both models was paired and loaded.</summary>
    public bool IsComplete => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    public override string ToString()
    {
        var lines = new List<string> { $"{Loaded.Count} weight(s) loaded" };
        if (Missing.Count > 0) lines.Add($"missing in the source: {string.Join(", ", Missing)}");
        if (Unexpected.Count > 0) lines.Add($"unexpected (in the source only): {string.Join(", ", Unexpected)}");
        if (Mismatched.Count > 0)
            lines.Add($"wrong shape: {string.Join(", ", Mismatched.Select(m => $"{m.Weight} {m.Expected} ← {m.Source} {m.Found}"))}");
        return string.Join("; ", lines);
    }
}
