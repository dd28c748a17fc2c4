using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Strata.Layers;
using Strata.Optimizers;
using Strata.Serialization;

namespace Strata.Tests.Serialization;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("strata-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>Images [n, 8, 8, 1] whose class (of 3) is the brightest third of the rows.</summary>
    internal static (Tensor X, Tensor Y) Images(int n, int seed)
    {
        var random = new Random(seed);
        var x = new Tensor(new Shape(n, 8, 8, 1));
        var y = new Tensor(new Shape(n));
        var xs = x.Span;
        for (int i = 0; i < n; i++)
        {
            int label = random.Next(3);
            y.Span[i] = label;
            for (int p = 0; p < 64; p++) xs[i * 64 + p] = (float)random.NextDouble() * 0.5f + (p / 8 / 3 == label ? 0.5f : 0f);
        }
        return (x, y);
    }

    /// <summary>A small network with every kind of layer that can be saved.</summary>
    private static Sequential EveryLayer(int seed = 3) => new(
        new Conv2D(4, 3, padding: "same", activation: "relu", inputShape: [8, 8, 1], name: "conv"),
        new BatchNormalization(momentum: 0.9f, epsilon: 1e-2f, name: "bn"),
        new MaxPooling2D(2, name: "pool"),
        new Conv2D(4, 3, strides: 1, useBias: false, kernelInitializer: Initializers.RandomNormal(0.1f)),
        new AveragePooling2D(2, padding: "same"),
        new Activation(Activations.LeakyReluWith(0.1f)),
        new Reshape([-1, 4]),
        new BatchNormalization(axis: 1, center: false),
        new Flatten(),
        new Dropout(0.25f, seed: 5),
        new Dense(6, activation: "selu", kernelInitializer: "lecun_normal", name: "hidden"),
        new BatchNormalization(scale: false),
        new Dense(3, activation: "softmax", name: "out")) { Seed = seed };

    private static Sequential Trained(Optimizer optimizer, int epochs = 2)
    {
        var model = EveryLayer();
        model.Compile(optimizer, Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var (x, y) = Images(96, 1);
        model.Fit(x, y, epochs: epochs, batchSize: 16, seed: 7);
        return model;
    }

    private static void AssertSameWeights(Sequential expected, Sequential actual)
    {
        var a = expected.Layers.SelectMany(l => l.Weights).ToArray();
        var b = actual.Layers.SelectMany(l => l.Weights).ToArray();
        Assert.Equal(a.Select(w => (w.Shape, w.Trainable)), b.Select(w => (w.Shape, w.Trainable)));
        for (int i = 0; i < a.Length; i++)
            Assert.True(a[i].Value.SequenceEqual(b[i].Value), $"weight {a[i].Name} differs");
    }

    [Theory]
    [InlineData("dense/kernel", float.NaN, "non-finite")]
    [InlineData("dense/bias", float.PositiveInfinity, "non-finite")]
    [InlineData("batch_normalization/moving_variance", -0.5f, "negative variance")]
    public void A_model_with_non_finite_weights_or_a_negative_variance_is_refused(string suffix, float value, string reason)
    {
        var model = new Sequential(new Dense(4, inputShape: [3]), new BatchNormalization(), new Dense(2)) { Seed = 1 };
        model.Build(new Shape(3));
        var weight = model.Layers.SelectMany(l => l.Weights).First(w => w.Name.Contains(suffix.Split('/')[1], StringComparison.Ordinal)
            && w.Name.StartsWith(suffix.Split('/')[0], StringComparison.Ordinal));
        weight.Value[1] = value;
        string path = PathOf("unsound.safetensors");
        model.Save(path, includeOptimizer: false);
        var e = Assert.Throws<InvalidDataException>(() => Sequential.Load(path));
        Assert.Contains(weight.Name, e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains("index 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_layer_round_trips_bit_for_bit_and_predicts_the_same()
    {
        var model = Trained(new Adam(globalClipNorm: 5f));
        string path = PathOf("model.safetensors");
        model.Save(path);
        var loaded = Sequential.Load(path);

        AssertSameWeights(model, loaded);
        Assert.Equal(model.Layers.SelectMany(l => l.Weights).Select(w => w.Name), loaded.Layers.SelectMany(l => l.Weights).Select(w => w.Name));
        Assert.Equal(model.Layers.Select(l => (l.Name, l.TypeName, l.OutputShape)), loaded.Layers.Select(l => (l.Name, l.TypeName, l.OutputShape)));
        Assert.Equal(model.Summary(), loaded.Summary());
        var (x, _) = Images(20, 2);
        Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());

        // Saving what was loaded writes the same bytes.
        string again = PathOf("again.safetensors");
        loaded.Save(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void The_configuration_keeps_every_setting()
    {
        var model = Trained(new Sgd(0.05f, momentum: 0.9f, nesterov: true, clipValue: 0.5f), epochs: 1);
        model.Layers[1].Trainable = false;
        string path = PathOf("m.safetensors");
        model.Save(path);
        var loaded = Sequential.Load(path);

        var bn = Assert.IsType<BatchNormalization>(loaded.Layers[1]);
        Assert.Equal((0.9f, 1e-2f, false), (bn.Momentum, bn.Epsilon, bn.Trainable));
        var conv = Assert.IsType<Conv2D>(loaded.Layers[3]);
        Assert.Equal((4, new Size2D(3, 3), false, "random_normal"), (conv.Filters, conv.KernelSize, conv.UseBias, conv.KernelInitializer.Name));
        Assert.Equal([-1, 4], Assert.IsType<Reshape>(loaded.Layers[6]).TargetShape);
        Assert.Equal([1], Assert.IsType<BatchNormalization>(loaded.Layers[7]).Axis);
        Assert.Equal((0.25f, (int?)5), (Assert.IsType<Dropout>(loaded.Layers[9]).Rate, Assert.IsType<Dropout>(loaded.Layers[9]).Seed));
        Assert.Equal("selu", Assert.IsType<Dense>(loaded.Layers[10]).Activation.Name);
        var sgd = Assert.IsType<Sgd>(loaded.Optimizer);
        Assert.Equal((0.05f, 0.9f, true, (float?)0.5f, model.Optimizer!.Iterations), (sgd.LearningRate, sgd.Momentum, sgd.Nesterov, sgd.ClipValue, sgd.Iterations));
        Assert.Equal("sparse_categorical_crossentropy", loaded.Loss!.Name);
        Assert.Equal(["accuracy"], loaded.CompiledMetrics.Select(m => m.Name));
        Assert.Equal(1, loaded.EpochsCompleted);

        // The leaky ReLU's slope survives; so does a schedule.
        var leaky = Assert.IsType<Activation>(loaded.Layers[5]).Function;
        var probe = new float[] { -1f };
        leaky.Forward(probe, probe, 1, 1);
        Assert.Equal(-0.1f, probe[0], 6);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("sgd-momentum")]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("rmsprop")]
    [InlineData("nadam")]
    public void Training_resumed_from_a_file_equals_training_without_a_break(string optimizer)
    {
        Optimizer Make() => optimizer switch
        {
            "sgd" => new Sgd(0.05f),
            "sgd-momentum" => new Sgd(0.05f, momentum: 0.9f),
            "adam" => new Adam(0.01f) { Schedule = new ExponentialDecay(0.01f, 5, 0.9f) },
            "adamw" => new AdamW(0.01f),
            "rmsprop" => new RmsProp(0.01f, clipNorm: 1f),
            _ => new Nadam(0.01f),
        };
        var (x, y) = Images(80, 4);

        var straight = EveryLayer();
        straight.Compile(Make(), Losses.SparseCategoricalCrossentropy);
        straight.Fit(x, y, epochs: 3, batchSize: 16, seed: 11, validationSplit: 0.2f);

        var first = EveryLayer();
        first.Compile(Make(), Losses.SparseCategoricalCrossentropy);
        first.Fit(x, y, epochs: 2, batchSize: 16, seed: 11, validationSplit: 0.2f);
        string path = PathOf("resume.safetensors");
        first.Save(path);
        var resumed = Sequential.Load(path);
        Assert.Equal(2, resumed.EpochsCompleted);
        resumed.Fit(x, y, epochs: 3, batchSize: 16, seed: 11, validationSplit: 0.2f, initialEpoch: resumed.EpochsCompleted);

        AssertSameWeights(straight, resumed);
        Assert.Equal(straight.Optimizer!.Iterations, resumed.Optimizer!.Iterations);
        Assert.Equal(3, resumed.EpochsCompleted);
    }

    [Fact]
    public void Recurrent_models_round_trip()
    {
        var random = new Random(2);
        var x = new Tensor(new Shape(12, 5, 3));
        for (int i = 0; i < x.Length; i++) x.Span[i] = (float)random.NextDouble() - 0.5f;
        var y = new Tensor(new Shape(12, 2));
        var model = new Sequential(
            new SimpleRnn(4, returnSequences: true, recurrentInitializer: Initializers.OrthogonalWith(0.9), inputShape: [5, 3]),
            new Gru(3, returnSequences: true, resetAfter: true),
            new Gru(3, returnSequences: true, resetAfter: false),
            new Lstm(4, unitForgetBias: false, recurrentActivation: "tanh"),
            new Dense(2)) { Seed = 1 };
        model.Compile(new RmsProp(), Losses.MeanSquaredError);
        model.Fit(x, y, epochs: 2, batchSize: 4, seed: 1);
        string path = PathOf("rnn.safetensors");
        model.Save(path);
        var loaded = Sequential.Load(path);
        AssertSameWeights(model, loaded);
        Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());
        Assert.False(Assert.IsType<Gru>(loaded.Layers[2]).ResetAfter);
        var lstm = Assert.IsType<Lstm>(loaded.Layers[3]);
        Assert.Equal((false, "tanh"), (lstm.UnitForgetBias, lstm.RecurrentActivation.Name));
        loaded.Save(PathOf("again.safetensors"));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(PathOf("again.safetensors")));
    }

    [Fact]
    public void Without_the_optimizer_the_model_loads_uncompiled_and_still_predicts()
    {
        var model = Trained(new Adam());
        string path = PathOf("weights-only.safetensors");
        model.Save(path, includeOptimizer: false);
        var loaded = Sequential.Load(path);
        Assert.Null(loaded.Optimizer);
        var (x, _) = Images(8, 9);
        Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());

        model.Save(path);
        var uncompiled = Sequential.Load(path, compile: false);
        Assert.Null(uncompiled.Optimizer);
    }

    [Fact]
    public void A_folded_model_saves_and_loads()
    {
        var folded = Trained(new Sgd()).FoldBatchNormalization();
        string path = PathOf("folded.safetensors");
        folded.Save(path);
        var loaded = Sequential.Load(path);
        var (x, _) = Images(8, 9);
        Assert.Equal(folded.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());
    }

    [Fact]
    public void Unsavable_models_are_refused_with_the_reason()
    {
        var unbuilt = new Sequential(new Dense(3));
        Assert.Contains("not built", Assert.Throws<InvalidOperationException>(() => unbuilt.Save(PathOf("x"))).Message);
        var twins = new Sequential(new Dense(3, inputShape: [2], name: "same"), new Dense(3, name: "same"));
        twins.Build(new Shape(2));
        Assert.Contains("two layers named 'same'", Assert.Throws<InvalidOperationException>(() => twins.Save(PathOf("x"))).Message);
        Assert.False(File.Exists(PathOf("x")));
    }

    // ---- Hostile and damaged files: each is refused with InvalidDataException, never a crash or a huge allocation.

    private byte[] SavedBytes()
    {
        string path = PathOf("base.safetensors");
        Trained(new Adam(), epochs: 1).Save(path);
        return File.ReadAllBytes(path);
    }

    private InvalidDataException Refused(byte[] bytes)
    {
        string path = PathOf("hostile.safetensors");
        File.WriteAllBytes(path, bytes);
        return Assert.Throws<InvalidDataException>(() => Sequential.Load(path));
    }

    /// <summary>Splits a file into its header JSON and data, lets <paramref name="edit"/> change the header, and rebuilds it.</summary>
    internal static byte[] EditHeader(byte[] file, Action<JsonObject> edit, bool fixDigest = true)
    {
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, length))!.AsObject();
        edit(header);
        byte[] data = file[(8 + length)..];
        // A forger recomputes the digest; where the container itself is broken there is nothing to recompute.
        if (fixDigest && Redigest(header, data) is { } digest) header["__metadata__"]!["sha256"] = digest;
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var result = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)json.Length);
        json.CopyTo(result, 8);
        data.CopyTo(result, 8 + json.Length);
        return result;
    }

    /// <summary>The digest a forger would write: SHA-256 computed the way the writer does, through a round trip of SafeTensors.</summary>
    private static string? Redigest(JsonObject header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        try
        {
            var (tensors, metadata) = SafeTensors.Read(new MemoryStream(bytes), "forged");
            return ModelFile.DigestOf(metadata, tensors);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    internal static void EditConfig(JsonObject header, Action<JsonObject> edit, string key = "model_config")
    {
        var metadata = header["__metadata__"]!.AsObject();
        var config = JsonNode.Parse((string)metadata[key]!)!.AsObject();
        edit(config);
        metadata[key] = config.ToJsonString();
    }

    private static JsonObject LayerAt(JsonObject config, int i) => config["config"]!["layers"]![i]!["config"]!.AsObject();

    /// <summary>Convolution and pooling with a different height and width in every size, trained one epoch.</summary>
    private static Sequential Rectangular()
    {
        var model = new Sequential(
            new Conv2D(3, (1, 3), strides: (1, 2), padding: "same", activation: "relu", inputShape: [8, 8, 1], name: "wide"),
            new Conv2D(2, (3, 2), dilationRate: (2, 1), name: "dilated"),
            new MaxPooling2D((1, 2), name: "max"),
            new AveragePooling2D((2, 3), strides: (1, 2), padding: "same", name: "avg"),
            new Flatten(),
            new Dense(3, activation: "softmax")) { Seed = 4 };
        model.Compile(new Adam(), Losses.SparseCategoricalCrossentropy);
        var (x, y) = Images(32, 1);
        model.Fit(x, y, epochs: 1, batchSize: 16, seed: 7);
        return model;
    }

    [Fact]
    public void Rectangular_sizes_round_trip()
    {
        var model = Rectangular();
        string path = PathOf("rect.safetensors");
        model.Save(path);
        var loaded = Sequential.Load(path);
        AssertSameWeights(model, loaded);
        var wide = Assert.IsType<Conv2D>(loaded.Layers[0]);
        Assert.Equal((new Size2D(1, 3), new Size2D(1, 2), new Size2D(1, 1)), (wide.KernelSize, wide.Strides, wide.DilationRate));
        Assert.Equal(new Size2D(2, 1), Assert.IsType<Conv2D>(loaded.Layers[1]).DilationRate);
        Assert.Equal((new Size2D(1, 2), new Size2D(1, 2)), (Assert.IsType<MaxPooling2D>(loaded.Layers[2]).PoolSize, ((Pooling2D)loaded.Layers[2]).Strides));
        Assert.Equal((new Size2D(2, 3), new Size2D(1, 2)), (Assert.IsType<AveragePooling2D>(loaded.Layers[3]).PoolSize, ((Pooling2D)loaded.Layers[3]).Strides));
        Assert.Equal(model.Layers.Select(l => l.OutputShape), loaded.Layers.Select(l => l.OutputShape));
        var (x, _) = Images(10, 2);
        Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());

        // Keras writes pairs: [height, width].
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path));
        var header = JsonNode.Parse(Encoding.UTF8.GetString(File.ReadAllBytes(path), 8, length))!.AsObject();
        var config = JsonNode.Parse((string)header["__metadata__"]!["model_config"]!)!.AsObject();
        Assert.Equal("[1,3]", LayerAt(config, 0)["kernel_size"]!.ToJsonString());
        Assert.Equal("[1,2]", LayerAt(config, 0)["strides"]!.ToJsonString());
        Assert.Equal("[2,1]", LayerAt(config, 1)["dilation_rate"]!.ToJsonString());
        Assert.Equal("[2,3]", LayerAt(config, 3)["pool_size"]!.ToJsonString());
    }

    [Fact]
    public void A_size_may_be_one_int_but_not_a_list_of_another_length()
    {
        string path = PathOf("rect.safetensors");
        Rectangular().Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        // One int means both axes, as Keras's constructors read it. Pool strides (1, 2) → 1 keeps every later shape:
        // [4, 3] pooled 1×2 is [4, 2] instead of [4, 1], and the "same" average pooling with strides (1, 2) makes both [4, 1].
        var edited = EditHeader(bytes, h => EditConfig(h, c => LayerAt(c, 2)["strides"] = 1));
        string again = PathOf("int.safetensors");
        File.WriteAllBytes(again, edited);
        var pool = Assert.IsType<MaxPooling2D>(Sequential.Load(again).Layers[2]);
        Assert.Equal((new Size2D(1, 2), new Size2D(1, 1)), (pool.PoolSize, pool.Strides));
        foreach (var bad in new JsonNode[] { new JsonArray(3), new JsonArray(1, 3, 3), new JsonArray(0, 3), 0, "3" })
        {
            var error = Refused(EditHeader(bytes, h => EditConfig(h, c => LayerAt(c, 0)["kernel_size"] = bad.DeepClone())));
            Assert.Contains("kernel_size", error.Message);
        }
    }

    [Fact]
    public void Every_truncation_is_refused()
    {
        byte[] bytes = SavedBytes();
        foreach (int cut in new[] { 0, 4, 8, 20, bytes.Length / 3, bytes.Length / 2, bytes.Length - 1 })
            Refused(bytes[..cut]);
    }

    [Fact]
    public void A_flipped_byte_anywhere_is_refused()
    {
        byte[] bytes = SavedBytes();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var random = new Random(1);
        // Bytes in the data (weights, optimizer state) and in the header (names, settings, digest).
        var positions = Enumerable.Range(0, 12).Select(_ => random.Next(headerEnd, bytes.Length))
            .Concat(Enumerable.Range(0, 12).Select(_ => random.Next(8, headerEnd)));
        foreach (int p in positions)
        {
            var copy = (byte[])bytes.Clone();
            copy[p] ^= 0x10;
            Refused(copy);
        }
    }

    [Fact]
    public void A_giant_declared_layer_is_refused_before_allocating_it()
    {
        byte[] bytes = SavedBytes();
        var error = Refused(EditHeader(bytes, h => EditConfig(h, c => LayerAt(c, 10)["units"] = 1_000_000)));
        Assert.Contains("the file stores only", error.Message);
        error = Refused(EditHeader(bytes, h => EditConfig(h, c => c["config"]!["input_shape"] = new JsonArray(100_000, 100_000, 1))));
        Assert.Contains("input_shape", error.Message);
    }

    [Fact]
    public void A_giant_declared_tensor_is_refused()
    {
        byte[] bytes = SavedBytes();
        Refused(EditHeader(bytes, h => h["out/kernel"]!["shape"] = new JsonArray(1 << 30, 1 << 30)));
    }

    [Fact]
    public void A_wrong_dtype_is_refused()
    {
        var error = Refused(EditHeader(SavedBytes(), h => h["out/kernel"]!["dtype"] = "F64"));
        Assert.Contains("F64", error.Message);
    }

    [Fact]
    public void Overlapping_tensors_are_refused()
    {
        var error = Refused(EditHeader(SavedBytes(), h =>
        {
            var offsets = h["out/bias"]!["data_offsets"]!.AsArray();
            long begin = (long)offsets[0]!;
            offsets[0] = begin - 4;
            offsets[1] = (long)offsets[1]! - 4;
        }));
        Assert.Contains("overlap", error.Message);
    }

    [Fact]
    public void Shape_mismatches_name_the_weight_and_both_shapes()
    {
        byte[] bytes = SavedBytes();
        var error = Refused(EditHeader(bytes, h => h["out/bias"]!["shape"] = new JsonArray(3, 1)));
        Assert.Contains("out/bias", error.Message);
        Assert.Contains("(3, 1)", error.Message);
        Assert.Contains("(3,)", error.Message);
    }

    [Fact]
    public void Unknown_layer_types_and_settings_and_bad_values_are_refused()
    {
        byte[] bytes = SavedBytes();
        Assert.Contains("does not know", Refused(EditHeader(bytes, h => EditConfig(h, c => c["config"]!["layers"]![2]!["class_name"] = "Lambda"))).Message);
        Assert.Contains("unknown setting 'code'", Refused(EditHeader(bytes, h => EditConfig(h, c => LayerAt(c, 0)["code"] = "import os"))).Message);
        Assert.Contains("momentum", Refused(EditHeader(bytes, h => EditConfig(h, c => LayerAt(c, 1)["momentum"] = 7))).Message);
        Assert.Contains("activation", Refused(EditHeader(bytes, h => EditConfig(h, c => LayerAt(c, 10)["activation"] = "os.system"))).Message);
        Assert.Contains("optimizer", Refused(EditHeader(bytes, h => EditConfig(h, c => c["optimizer"]!["class_name"] = "Evil", "training_config"))).Message);
        Assert.Contains("lacks", Refused(EditHeader(bytes, h => EditConfig(h, c => LayerAt(c, 10).Remove("units")))).Message);
    }

    [Fact]
    public void Duplicate_names_and_stray_or_missing_tensors_are_refused()
    {
        byte[] bytes = SavedBytes();
        Assert.Contains("names two layers alike", Refused(EditHeader(bytes, h => EditConfig(h, c => LayerAt(c, 4)["name"] = "pool"))).Message);
        // A tensor renamed: the weight is missing and a stray one appears.
        Assert.Contains("lacks weight", Refused(EditHeader(bytes, h => { h["stray"] = h["out/bias"]!.DeepClone(); h.Remove("out/bias"); })).Message);
    }

    [Fact]
    public void Other_safetensors_files_and_future_versions_are_refused()
    {
        byte[] bytes = SavedBytes();
        Assert.Contains("not a Strata model", Refused(EditHeader(bytes, h => h["__metadata__"]!["format"] = "pytorch")).Message);
        Assert.Contains("version", Refused(EditHeader(bytes, h => h["__metadata__"]!["format_version"] = "2")).Message);
        Assert.Contains("digest", Refused(EditHeader(bytes, h => EditConfig(h, c => LayerAt(c, 1)["epsilon"] = 0.5), fixDigest: false)).Message);
        var missing = Refused(EditHeader(bytes, h => ((JsonObject)h["__metadata__"]!).Remove("sha256"), fixDigest: false));
        Assert.Contains("has no SHA-256 digest", missing.Message);
        Assert.DoesNotContain("damaged", missing.Message);
    }

    /// <summary>
    /// Random edits of the settings (numbers, strings, booleans and nulls put in place of values), signed with a
    /// valid digest as a forger would: each file either loads into a model that runs, or is refused with
    /// InvalidDataException — never another exception.
    /// </summary>
    [Fact]
    public void Random_setting_edits_load_or_are_refused_never_crash()
    {
        byte[] bytes = SavedBytes();
        var random = new Random(42);
        JsonNode?[] replacements = [-1, 0, 1, 2, 7, 65536, int.MaxValue, 0.5, -0.5, 1e30, "relu", "x", true, false, null];
        var (x, _) = Images(4, 1);
        int loaded = 0, refused = 0;
        for (int i = 0; i < 300; i++)
        {
            string key = random.Next(4) switch { 0 => "training_config", 1 => "training_state", _ => "model_config" };
            byte[] edited = EditHeader(bytes, h => EditConfig(h, config =>
            {
                var leaves = Leaves(config).ToList();
                for (int m = 0; m < 1 + random.Next(3); m++)
                {
                    var (parent, at) = leaves[random.Next(leaves.Count)];
                    var value = replacements[random.Next(replacements.Length)]?.DeepClone();
                    if (parent is JsonObject o) o[(string)at] = value;
                    else ((JsonArray)parent)[(int)at] = value;
                }
            }, key));
            string path = PathOf("edited.safetensors");
            File.WriteAllBytes(path, edited);
            try
            {
                Sequential.Load(path).Predict(x);
                loaded++;
            }
            catch (InvalidDataException)
            {
                refused++;
            }
        }
        // Both outcomes occur: the edits are re-signed correctly (not all refused by the digest) and do reach the checks.
        Assert.True(loaded > 0 && refused > 0, $"loaded {loaded}, refused {refused}");
    }

    /// <summary>Every value that is not an object or array, with its parent and key or index.</summary>
    private static IEnumerable<(JsonNode Parent, object At)> Leaves(JsonNode node)
    {
        if (node is JsonObject o)
        {
            foreach (var (key, value) in o.ToList())
            {
                if (value is JsonObject or JsonArray) foreach (var leaf in Leaves(value)) yield return leaf;
                else yield return (o, key);
            }
        }
        else if (node is JsonArray a)
        {
            for (int i = 0; i < a.Count; i++)
            {
                if (a[i] is JsonObject or JsonArray) foreach (var leaf in Leaves(a[i]!)) yield return leaf;
                else yield return (a, i);
            }
        }
    }

    [Fact]
    public void A_huge_step_count_in_a_file_restores_without_replaying_every_step()
    {
        string path = PathOf("nadam.safetensors");
        var model = EveryLayer();
        model.Compile(new Nadam(beta1: 0.99999994f), Losses.SparseCategoricalCrossentropy);
        var (x, y) = Images(32, 2);
        model.Fit(x, y, epochs: 1, batchSize: 16);
        model.Save(path);
        // 10¹² steps of μ-product would take hours to replay; past μₜ = β₁ the rest is one power.
        File.WriteAllBytes(path, EditHeader(File.ReadAllBytes(path), h => EditConfig(h, c => c["optimizer"]!["iterations"] = 1_000_000_000_000, "training_config")));
        var loaded = Sequential.Load(path);
        Assert.Equal(1_000_000_000_000, loaded.Optimizer!.Iterations);
        loaded.Fit(x, y, epochs: 1, batchSize: 16);
        Assert.All(loaded.Layers.SelectMany(l => l.Weights), w => Assert.True(w.Value.ToArray().All(float.IsFinite), w.Name));
    }

    [Fact]
    public void An_epoch_cut_short_by_a_callback_does_not_count_as_completed()
    {
        var model = EveryLayer();
        model.Compile(new Sgd(), Losses.SparseCategoricalCrossentropy);
        var (x, y) = Images(64, 2);
        model.Fit(x, y, epochs: 1, batchSize: 16);
        Assert.Equal(1, model.EpochsCompleted);
        model.Fit(x, y, epochs: 3, batchSize: 16, initialEpoch: 1, callbacks: [new StopAfterSteps(2)]);
        Assert.Equal(1, model.EpochsCompleted);
    }

    private sealed class StopAfterSteps(int steps) : Callback
    {
        public override void OnBatchEnd(int epoch, BatchLogs logs)
        {
            if (logs.Step >= steps) StopTraining = true;
        }
    }

    [Fact]
    public void Deeply_nested_json_is_refused()
    {
        string deep = new string('[', 5000) + new string(']', 5000);
        Refused(EditHeader(SavedBytes(), h => h["__metadata__"]!["model_config"] = deep));
    }

    [Fact]
    public void A_save_that_dies_midway_leaves_the_previous_file_intact()
    {
        string path = PathOf("safe.safetensors");
        var model = Trained(new Sgd(), epochs: 1);
        model.Save(path);
        byte[] before = File.ReadAllBytes(path);
        model.Fit(Images(32, 5).X, Images(32, 5).Y, epochs: 1, batchSize: 16);
        // The new save stops after half of its bytes, as a crash or a full disk would stop it.
        Assert.Throws<IOException>(() => ModelFile.Save(model, path, includeOptimizer: true, stream => new FailingStream(stream, before.Length / 2)));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir));
        Sequential.Load(path);
        // A model that cannot be described fails before anything is written.
        var unsavable = new Sequential(new Dense(2, inputShape: [3]), new Unsavable());
        unsavable.Build(new Shape(3));
        Assert.Throws<NotSupportedException>(() => unsavable.Save(path));
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    private sealed class FailingStream(Stream inner, long limit) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > limit) throw new IOException("The disk stopped taking bytes.");
            inner.Write(buffer);
            _written += buffer.Length;
        }
        public override void WriteByte(byte value) => Write([value]);
    }

    private sealed class Unsavable() : Layer(null, null)
    {
        protected override Shape OnBuild(Shape inputShape, Random random) => inputShape;
        public override Tensor Forward(Tensor x, bool training) => x;
        public override Tensor Backward(Tensor dy) => dy;
    }
}
