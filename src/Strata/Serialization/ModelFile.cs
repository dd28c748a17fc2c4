using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Strata.Data;
using Strata.Layers;

namespace Strata.Serialization;

/// <summary>
/// A saved model is one safetensors file (any safetensors tool can list it):
/// <list type="bullet">
/// <item>tensors: every weight by its name (<c>dense/kernel</c>, <c>batch_normalization/moving_mean</c>) and, with the
/// optimizer, its state per weight (<c>optimizer/m/dense/kernel</c>) and AutoClip's norms of every step so far
/// (<c>optimizer/auto_clip/norms</c>, [iterations]);</item>
/// <item>metadata: <c>format</c> = strata.model, <c>format_version</c>, <c>model_config</c> (the Keras-like JSON
/// architecture), <c>training_config</c> (loss, metrics, optimizer and its step count), <c>training_state</c> (epochs
/// completed, dropout streams), and <c>sha256</c> over all of it.</item>
/// </list>
/// The digest makes a flipped bit anywhere in a value or a setting an error instead of a silently different model;
/// safetensors itself has no checksum. Loading checks the container (<see cref="SafeTensors.Read"/>), the digest,
/// every setting, and that each weight the configuration creates is in the file with its exact shape — weights are
/// allocated only within what the file holds (<see cref="WeightBudget"/>).
/// </summary>
internal static class ModelFile
{
    public const string Format = "strata.model";
    public const int FormatVersion = 1;
    private const string OptimizerPrefix = "optimizer/";

    /// <summary>AutoClip's history, one float per applied step; no weight has this name (weights are layer/weight).</summary>
    private const string AutoClipNorms = OptimizerPrefix + "auto_clip/norms";

    /// <param name="model">A built model.</param>
    /// <param name="path">The file to write (replaced atomically).</param>
    /// <param name="includeOptimizer">Also write the compile settings and optimizer state.</param>
    /// <param name="intercept">Tests wrap the output stream to make a save fail midway.</param>
    public static void Save(Model model, string path, bool includeOptimizer, Func<Stream, Stream>? intercept = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!model.IsBuilt) throw new InvalidOperationException($"Model '{model.Name}' is not built; build, fit or call it once before saving.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in model.Layers)
        {
            if (!names.Add(layer.Name)) throw new InvalidOperationException($"Model '{model.Name}' has two layers named '{layer.Name}'; a saved model needs unique names.");
            if (layer.Name.Contains('/', StringComparison.Ordinal)) throw new InvalidOperationException($"Layer '{layer.Name}': a saved model's layer names cannot contain '/'.");
        }

        var tensors = new List<(string Name, Tensor Tensor)>();
        foreach (var weight in model.Layers.SelectMany(l => l.Weights)) tensors.Add((weight.Name, Copy(weight.Shape, weight.Value)));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["model_config"] = ModelConfig.Write(model),
            ["training_state"] = Json(w => WriteState(w, model)),
        };
        if (model.ClassNames is { } classNames) metadata["class_names"] = JsonSerializer.Serialize(classNames);
        if (includeOptimizer && model.Optimizer is { } optimizer)
        {
            metadata["training_config"] = Json(w => TrainingConfig.Write(w, model));
            if (optimizer.HasState)
            {
                // Only weights that are still trainable: a layer frozen since compiling has no state in the reloaded model.
                var slab = model.Slab;
                var trainable = model.Layers.SelectMany(l => l.TrainableWeights).ToHashSet();
                foreach (var (slot, values) in optimizer.StateSlots)
                    for (int i = 0; i < slab.Weights.Length; i++)
                    {
                        var weight = slab.Weights[i];
                        if (!trainable.Contains(weight)) continue;
                        tensors.Add(($"{OptimizerPrefix}{slot}/{weight.Name}", Copy(weight.Shape, values.AsSpan(slab.OffsetOf(i), weight.Size))));
                    }
                if (optimizer.NormHistory is { Norms.Count: > 0 } history)
                    tensors.Add((AutoClipNorms, new Tensor(new Shape(history.Norms.Count), [.. history.Norms])));
            }
        }
        metadata["sha256"] = DigestOf(metadata, tensors.ToDictionary(t => t.Name, t => t.Tensor, StringComparer.Ordinal));
        AtomicFile.Write(path, stream => SafeTensors.Write(intercept?.Invoke(stream) ?? stream, tensors, metadata));
    }

    /// <summary>
    /// Loading holds the file's tensors and the model built from them (weights and optimizer state, as many values
    /// again) at once, so twice the file's size is checked against <paramref name="budget"/> before reading.
    /// </summary>
    public static Model Load(string path, bool compile, MemoryBudget? budget = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Load(stream, compile, budget);
    }

    /// <summary>
    /// Reads a model from <paramref name="stream"/>, from its position on, leaving it open. A seekable stream is read
    /// as a file is (its length, twice over, is checked against <paramref name="budget"/>, and bounds every allocation);
    /// any other is first copied into memory by <see cref="SafeTensors.Buffer"/>, as far as its header declares and no
    /// further, the declared size checked against the budget before the data is copied.
    /// </summary>
    public static Model Load(Stream stream, bool compile, MemoryBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream to load a model from cannot be read.", nameof(stream));
        budget ??= MemoryBudget.Default;
        string source = stream is FileStream file ? Path.GetFileName(file.Name) : "the model stream";
        Dictionary<string, Tensor> tensors;
        Dictionary<string, string> metadata;
        if (stream.CanSeek)
        {
            long length = stream.Length - stream.Position;
            budget.Require(2 * length, $"{source} ({MemoryBudget.Format(length)}, read and then copied into the model)");
            (tensors, metadata) = SafeTensors.Read(stream, source, budget);
        }
        else
        {
            using var buffered = SafeTensors.Buffer(stream, source, budget);
            (tensors, metadata) = SafeTensors.Read(buffered, source, budget);
        }
        return Load(tensors, metadata, source, compile);
    }

    private static Model Load(Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata, string source, bool compile)
    {

        if (!metadata.TryGetValue("format", out string? format) || format != Format)
            throw new InvalidDataException($"{source} is a safetensors file but not a Strata model (its metadata has no format \"{Format}\").");
        if (!metadata.TryGetValue("format_version", out string? version) || version != FormatVersion.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"{source} is a Strata model of format version {version ?? "(none)"}; this Strata reads version {FormatVersion}.");
        if (!metadata.TryGetValue("sha256", out string? digest))
            throw new InvalidDataException($"{source} has no SHA-256 digest in its metadata, which every model Strata saves carries: it was not written by Strata, or its metadata was edited.");
        if (!string.Equals(digest, DigestOf(metadata, tensors), StringComparison.Ordinal))
            throw new InvalidDataException($"{source} is damaged: its SHA-256 digest does not match its contents (a changed byte in a weight or a setting).");

        using var config = ConfigReader.Parse(Required(metadata, "model_config", source), $"{source}: model_config");
        var model = ReadModel(config.RootElement, source, tensors);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var weight in model.Layers.SelectMany(l => l.Weights))
        {
            if (!tensors.TryGetValue(weight.Name, out var tensor))
                throw new InvalidDataException($"{source} lacks weight '{weight.Name}' {weight.Shape}, which its configuration creates.");
            if (tensor.Shape != weight.Shape)
                throw new InvalidDataException($"{source}: weight '{weight.Name}' has shape {tensor.Shape}, but its layer needs {weight.Shape}.");
            RequireSound(tensor.Span, weight.Name, source);
            tensor.Span.CopyTo(weight.Value);
            used.Add(weight.Name);
        }

        if (metadata.TryGetValue("training_config", out string? training) && compile)
        {
            using var trainingDocument = ConfigReader.Parse(training, $"{source}: training_config");
            var (optimizer, iterations) = TrainingConfig.Compile(model, trainingDocument.RootElement, source);
            var slab = model.Slab;
            optimizer.Restore(slab, iterations);
            bool any = tensors.Keys.Any(k => k.StartsWith(OptimizerPrefix, StringComparison.Ordinal));
            foreach (var (slot, values) in optimizer.StateSlots)
                for (int i = 0; i < slab.Weights.Length && any; i++)
                {
                    var weight = slab.Weights[i];
                    string name = $"{OptimizerPrefix}{slot}/{weight.Name}";
                    if (!tensors.TryGetValue(name, out var tensor) || tensor.Shape != weight.Shape)
                        throw new InvalidDataException($"{source}: the optimizer state '{name}' is missing or not of shape {weight.Shape}.");
                    tensor.Span.CopyTo(values.AsSpan(slab.OffsetOf(i), weight.Size));
                    used.Add(name);
                }
            if (optimizer.NormHistory is { } history && iterations > 0) RestoreNorms(history, tensors, iterations, source, used);
        }
        else if (!compile)
        {
            used.UnionWith(tensors.Keys.Where(k => k.StartsWith(OptimizerPrefix, StringComparison.Ordinal)));
        }
        if (tensors.Keys.FirstOrDefault(k => !used.Contains(k)) is { } extra)
            throw new InvalidDataException($"{source} holds a tensor '{extra}' that belongs to no weight of its model.");

        using var state = ConfigReader.Parse(Required(metadata, "training_state", source), $"{source}: training_state");
        ReadState(state.RootElement, source, model);
        if (metadata.TryGetValue("class_names", out string? classNames)) model.ClassNames = ReadClassNames(classNames, model, source);
        return model;
    }

    /// <summary>
    /// AutoClip's history: one norm per applied step, each finite and not negative, so that the resumed run clips at the
    /// thresholds the uninterrupted one would have.
    /// </summary>
    private static void RestoreNorms(Optimizers.GradientNormHistory history, Dictionary<string, Tensor> tensors, long iterations, string source, HashSet<string> used)
    {
        if (!tensors.TryGetValue(AutoClipNorms, out var norms) || norms.Shape.Rank != 1 || norms.Length != iterations)
            throw new InvalidDataException($"{source}: AutoClip's history '{AutoClipNorms}' is missing or does not hold one norm for each of the {iterations} steps.");
        var span = norms.Span;
        for (int i = 0; i < span.Length; i++)
        {
            if (!(span[i] >= 0) || !float.IsFinite(span[i]))
                throw new InvalidDataException($"{source}: AutoClip's history holds {span[i]} at step {i + 1}; a gradient norm is finite and not negative.");
        }
        history.Restore(span);
        used.Add(AutoClipNorms);
    }

    /// <summary>
    /// Refuses a weight with a NaN or infinite value, or a moving variance below zero: such a model would predict NaN and
    /// pass it off as a result. Σv² in double is finite exactly when every value is.
    /// </summary>
    private static void RequireSound(ReadOnlySpan<float> values, string name, string source)
    {
        if (!double.IsFinite(Kernels.ClipKernels.SumOfSquares(values)))
        {
            int at = 0;
            while (float.IsFinite(values[at])) at++;
            throw new InvalidDataException($"{source}: weight '{name}' holds {values[at]} at index {at}; a model with non-finite weights is refused.");
        }
        if (name.EndsWith("/moving_variance", StringComparison.Ordinal) && values.Length > 0 && System.Numerics.Tensors.TensorPrimitives.Min(values) < 0)
        {
            int at = 0;
            while (values[at] >= 0) at++;
            throw new InvalidDataException($"{source}: weight '{name}' holds the negative variance {values[at]} at index {at}; the model is refused.");
        }
    }

    private static Model ReadModel(JsonElement root, string source, Dictionary<string, Tensor> tensors)
    {
        long stored = tensors.Where(t => !t.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal)).Sum(t => (long)t.Value.Length);
        using (WeightBudget.Limit(stored, source))
            return ModelConfig.ReadModel(root, $"{source}: model_config", source, seed: null);
    }

    /// <summary>The saved class names: a JSON array of one non-empty name of at most 256 characters per output.</summary>
    private static string[] ReadClassNames(string json, Model model, string source)
    {
        using var document = ConfigReader.Parse(json, $"{source}: class_names");
        var root = document.RootElement;
        var shape = model.OutputShapes[0];
        int outputs = shape.Rank == 0 ? 1 : shape[^1];
        // One name per output, or two for a single sigmoid output (binary classification).
        int length = root.ValueKind == JsonValueKind.Array ? root.GetArrayLength() : -1;
        if (length != outputs && !(outputs == 1 && length == 2))
            throw new InvalidDataException($"{source}: class_names must list one name for each of the model's {outputs} outputs.");
        var names = root.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : "").ToArray();
        if (names.Any(n => n.Length is 0 or > 256))
            throw new InvalidDataException($"{source}: class_names holds a name that is not a string of 1 to 256 characters.");
        return names;
    }

    /// <summary>
    /// Training progress that is not a weight: epochs completed, and each random layer's stream (Dropout's masks,
    /// augmentation's draws; the object keeps its first name, "dropout", so older files still load).
    /// </summary>
    private static void WriteState(Utf8JsonWriter w, Model model)
    {
        w.WriteStartObject();
        w.WriteNumber("epochs_completed", model.EpochsCompleted);
        w.WriteStartObject("dropout");
        foreach (var dropout in model.Layers.OfType<RandomLayer>())
        {
            w.WriteStartObject(dropout.Name);
            w.WriteNumber("stream_seed", dropout.StreamSeed);
            w.WriteNumber("masks_drawn", dropout.MasksDrawn);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void ReadState(JsonElement root, string source, Model model)
    {
        var c = new ConfigReader(root, $"{source}: training_state");
        model.EpochsCompleted = c.Int("epochs_completed", 0);
        var dropouts = c.Object("dropout");
        foreach (var dropout in model.Layers.OfType<RandomLayer>())
        {
            var d = dropouts.Object(dropout.Name);
            var seed = d.Element("stream_seed");
            if (seed.ValueKind != JsonValueKind.Number || !seed.TryGetUInt64(out ulong streamSeed)) throw d.Bad("'stream_seed' must be an unsigned 64-bit integer");
            dropout.StreamSeed = streamSeed;
            dropout.MasksDrawn = d.Long("masks_drawn", 0);
            d.Done();
        }
        dropouts.Done();
        c.Done();
    }

    /// <summary>SHA-256 over the settings (in a fixed key order) and the tensors (by ordinal name): hex, lower case.</summary>
    internal static string DigestOf(IReadOnlyDictionary<string, string> metadata, IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (key, value) in metadata.Where(m => m.Key != "sha256").OrderBy(m => m.Key, StringComparer.Ordinal))
            AppendText(hash, key, value);
        foreach (var (name, tensor) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            AppendText(hash, name, tensor.Shape.ToString());
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.Span));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Appends "key\0value\0" so that no two different sequences hash the same bytes.</summary>
    private static void AppendText(IncrementalHash hash, string key, string value)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(key));
        hash.AppendData([0]);
        hash.AppendData(Encoding.UTF8.GetBytes(value));
        hash.AppendData([0]);
    }

    private static string Required(Dictionary<string, string> metadata, string key, string source) =>
        metadata.TryGetValue(key, out string? value) ? value : throw new InvalidDataException($"{source} lacks its '{key}' metadata.");

    private static Tensor Copy(Shape shape, ReadOnlySpan<float> values) => new(shape, values.ToArray());

    internal static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) write(writer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
