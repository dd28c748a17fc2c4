using Strata.Data;
using Strata.Serialization;

namespace Strata;

public sealed partial class Sequential
{
    /// <summary>Epochs that <see cref="Fit"/> has completed on this model, over all calls (kept by <see cref="Save"/>).</summary>
    public int EpochsCompleted { get; internal set; }

    /// <summary>
    /// Writes the model to one file: its Keras-like configuration, every weight (moving statistics included) and,
    /// with <paramref name="includeOptimizer"/>, the compile settings and the optimizer's state so that training can
    /// resume where it stopped. The file is a valid safetensors file. Saving is atomic: the previous file, if any,
    /// stays intact until the new one is complete on disk.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not built, or two layers share a name.</exception>
    /// <exception cref="NotSupportedException">A layer, optimizer or schedule whose configuration Strata cannot write.</exception>
    public void Save(string path, bool includeOptimizer = true) => ModelFile.Save(this, path, includeOptimizer);

    /// <summary>
    /// Reads a model written by <see cref="Save"/>. With <paramref name="compile"/> (and a file saved with its
    /// optimizer) the model comes back compiled, with the optimizer's state and step count, ready to continue
    /// <see cref="Fit"/> (pass <c>initialEpoch: model.EpochsCompleted</c>). Everything is checked before use:
    /// a truncated, damaged or hostile file is refused with an <see cref="InvalidDataException"/> saying why, and a
    /// file whose tensors and model (twice the file's size) exceed <paramref name="budget"/> (by default
    /// <see cref="MemoryBudget.Default"/>) with a <see cref="MemoryBudgetExceededException"/>.
    /// </summary>
    public static Sequential Load(string path, bool compile = true, MemoryBudget? budget = null) => ModelFile.Load(path, compile, budget);

    /// <summary>The trainable weights' slab (for the optimizer state of a saved model).</summary>
    internal ParameterSlab Slab => _slab ?? throw new InvalidOperationException($"Model '{Name}' is not built.");
}
