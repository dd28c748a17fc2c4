using Strata.Data;
using Strata.Serialization;

namespace Strata;

public sealed partial class Sequential
{
    /// <summary>
    /// A new Sequential model from a Keras-like JSON configuration, as <see cref="Model.FromConfig"/> reads it.
    /// </summary>
    /// <exception cref="InvalidDataException">The configuration is malformed, or describes a functional model.</exception>
    public static new Sequential FromConfig(string json, Shape? inputShape = null, int? outputUnits = null, int seed = 0, MemoryBudget? budget = null) =>
        AsSequential(Model.FromConfig(json, inputShape, outputUnits, seed, budget), "The model config");

    /// <summary>Reads a Sequential model written by <see cref="Model.Save"/> (see <see cref="Model.Load(string, bool, MemoryBudget)"/>).</summary>
    /// <exception cref="InvalidDataException">The file is not a sound model file, or holds a functional model.</exception>
    public static new Sequential Load(string path, bool compile = true, MemoryBudget? budget = null) =>
        AsSequential(ModelFile.Load(path, compile, budget), Path.GetFileName(path));

    /// <summary>Reads a Sequential model written by <see cref="Model.Save"/> from <paramref name="stream"/> (see <see cref="Model.Load(Stream, bool, MemoryBudget)"/>).</summary>
    /// <exception cref="InvalidDataException">The stream does not hold a sound model file, or holds a functional model.</exception>
    public static new Sequential Load(Stream stream, bool compile = true, MemoryBudget? budget = null) =>
        AsSequential(ModelFile.Load(stream, compile, budget), "The model stream");

    /// <inheritdoc cref="Model.Clone"/>
    public new Sequential Clone() => (Sequential)base.Clone();

    private static Sequential AsSequential(Model model, string source) => model as Sequential
        ?? throw new InvalidDataException($"{source} holds a functional model ('{model.Name}'), not a Sequential one; read it with Model.Load or Model.FromConfig.");
}
