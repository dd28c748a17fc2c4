using Strata.Data;

namespace Strata;

public partial class Model
{
    /// <summary>
    /// A new model of the same architecture, layer names and weights (every one: moving statistics included), sharing
    /// nothing with this one: training the copy leaves this model as it is (Keras's <c>clone_model</c> followed by
    /// <c>set_weights</c>). A Sequential clones to a Sequential. The copy is not compiled.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer whose configuration Strata cannot write.</exception>
    public Model Clone()
    {
        var copy = FromConfig(ToConfig());
        copy.LoadWeightsFrom(this, WeightMatching.ByPosition, strict: true);
        copy.ClassNames = ClassNames;
        copy.Context = Context;
        return copy;
    }

    /// <summary>
    /// Copies weights from <paramref name="source"/> into this model where they pair up (by layer name, or by position),
    /// and reports what was loaded, missing, unexpected and of the wrong shape (left as it was). With
    /// <paramref name="strict"/> any of the last three is refused before anything is copied. The optimizer's state is
    /// left as it is.
    /// </summary>
    /// <exception cref="InvalidOperationException">A model is not built, or <paramref name="strict"/> and the weights do not all pair up; the message lists them.</exception>
    public WeightTransferReport LoadWeightsFrom(Model source, WeightMatching match = WeightMatching.ByName, bool strict = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!IsBuilt || !source.IsBuilt)
            throw new InvalidOperationException($"Model '{(IsBuilt ? source.Name : Name)}' is not built; weights load between built models.");
        var (pairs, report) = WeightPairing.Pair(source.Layers, Layers, match);
        if (strict && !report.IsComplete)
            throw new InvalidOperationException($"Model '{Name}': the weights of '{source.Name}' do not all fit ({report}); nothing was loaded.");
        foreach (var (from, to) in pairs) from.Value.CopyTo(to.Value);
        return report;
    }

    /// <summary>
    /// Loads the weights of a saved model (<see cref="Save"/>) into this one where they pair up, as
    /// <see cref="LoadWeightsFrom"/>: a model that shares part of its architecture with the saved one, such as the
    /// saved network with a new head. The file is checked as <see cref="Load(string, bool, MemoryBudget)"/> checks it.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a sound model file.</exception>
    public WeightTransferReport LoadWeights(string path, WeightMatching match = WeightMatching.ByName, bool strict = false, MemoryBudget? budget = null) =>
        LoadWeightsFrom(Load(path, compile: false, budget), match, strict);
}
