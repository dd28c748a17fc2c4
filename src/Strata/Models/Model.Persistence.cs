using Strata.Data;
using Strata.Serialization;

namespace Strata;

public partial class Model
{
    /// <summary>
    /// The model's architecture as the Keras-like JSON its files hold: a Sequential's layer list, or a functional model's
    /// layers with the calls that connect them (Keras's functional config). <see cref="FromConfig"/> reads it back.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer whose configuration Strata cannot write.</exception>
    public string ToConfig() => ModelConfig.Write(this);

    /// <summary>
    /// A new model from a Keras-like JSON configuration (the <c>model_config</c> of a saved model, a
    /// <see cref="ToConfig"/>, or one written by hand in that form), Sequential or functional, its weights drawn from
    /// <paramref name="seed"/>. <paramref name="inputShape"/> fills a Sequential configuration without <c>input_shape</c>,
    /// and <paramref name="outputUnits"/> its last Dense without <c>units</c>, so one file fits any data. Every setting is
    /// checked; an unknown layer or a bad value is refused with the path of the field that holds it.
    /// </summary>
    /// <exception cref="InvalidDataException">The configuration is malformed; the message names the field.</exception>
    public static Model FromConfig(string json, Shape? inputShape = null, int? outputUnits = null, int seed = 0, MemoryBudget? budget = null) =>
        ModelConfig.Read(json, inputShape, outputUnits, seed, budget ?? MemoryBudget.Default);

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
    /// Reads a model written by <see cref="Save"/>, Sequential or functional. With <paramref name="compile"/> (and a file
    /// saved with its optimizer) the model comes back compiled, with the optimizer's state and step count, ready to
    /// continue Fit (pass <c>initialEpoch: model.EpochsCompleted</c>). Everything is checked before use: a truncated,
    /// damaged or hostile file is refused with an <see cref="InvalidDataException"/> saying why, and a file whose
    /// tensors and model (twice the file's size) exceed <paramref name="budget"/> (by default
    /// <see cref="MemoryBudget.Default"/>) with a <see cref="MemoryBudgetExceededException"/>.
    /// </summary>
    public static Model Load(string path, bool compile = true, MemoryBudget? budget = null) => ModelFile.Load(path, compile, budget);

    /// <summary>
    /// Reads a model written by <see cref="Save"/> from <paramref name="stream"/> (from its current position; the stream
    /// is left open), with the checks of <see cref="Load(string, bool, MemoryBudget)"/>. A seekable stream's length bounds every
    /// allocation as a file's does; a stream that cannot seek (a network or decompression stream) is read only as far
    /// as the file's header declares, memory growing with the bytes that arrive, and bytes beyond are refused.
    /// </summary>
    public static Model Load(Stream stream, bool compile = true, MemoryBudget? budget = null) => ModelFile.Load(stream, compile, budget);
}
