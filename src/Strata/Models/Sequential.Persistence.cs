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
    /// a truncated, damaged or hostile file is refused with an <see cref="InvalidDataException"/> saying why.
    /// </summary>
    public static Sequential Load(string path, bool compile = true) => ModelFile.Load(path, compile);

    /// <summary>
    /// Reads a model written by <see cref="Save"/> from <paramref name="stream"/> (from its current position; the stream
    /// is left open), with the checks of <see cref="Load(string, bool)"/>. A seekable stream's length bounds every
    /// allocation as a file's does; a stream that cannot seek (a network or decompression stream) is read only as far
    /// as the file's header declares, memory growing with the bytes that arrive, and bytes beyond are refused.
    /// </summary>
    public static Sequential Load(Stream stream, bool compile = true) => ModelFile.Load(stream, compile);

    /// <summary>The trainable weights' slab (for the optimizer state of a saved model).</summary>
    internal ParameterSlab Slab => _slab ?? throw new InvalidOperationException($"Model '{Name}' is not built.");
}
