using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Strata.Data;
using Strata.Layers;
using Strata.Optimizers;
using Strata.Serialization;
using static Strata.Tests.Serialization.TestModelFile;

namespace Strata.Tests.Serialization;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("strata-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

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
        var (bytes, weight) = Unsound(suffix, value);
        string path = PathOf("unsound.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Sequential.Load(path));
        Assert.Contains(weight, e.Message, StringComparison.Ordinal);
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

    [Fact]
    public void Adaptive_clipping_settings_and_history_round_trip()
    {
        var model = Trained(new Sgd(0.05f, agc: 0.02f) { AgcEpsilon = 1e-4f, AgcExcludeLast = false, AgcExclude = ["conv", "hidden/bias"] }, epochs: 1);
        string path = PathOf("agc.safetensors");
        model.Save(path);
        var sgd = Assert.IsType<Sgd>(Sequential.Load(path).Optimizer);
        Assert.Equal(((float?)0.02f, 1e-4f, false, (float?)null), (sgd.Agc, sgd.AgcEpsilon, sgd.AgcExcludeLast, sgd.AutoClipPercentile));
        Assert.Equal(["conv", "hidden/bias"], sgd.AgcExclude);

        model = Trained(new RmsProp(autoClipPercentile: 25f), epochs: 1);
        model.Save(path);
        var rms = Assert.IsType<RmsProp>(Sequential.Load(path).Optimizer);
        Assert.Equal(((float?)null, (float?)25f), (rms.Agc, rms.AutoClipPercentile));
        Assert.Equal(model.Optimizer!.NormHistory!.Norms, rms.NormHistory!.Norms);
        Assert.Equal(model.Optimizer.Iterations, rms.NormHistory.Norms.Count);

        // A config without the history it needs, or AGC's settings without AGC, is refused.
        var adam = SavedBytesOf(Trained(new Adam(), epochs: 1));
        File.WriteAllBytes(path, EditHeader(adam, h => EditConfig(h, c => c["optimizer"]!["config"]!["auto_clip_percentile"] = 10, "training_config")));
        Assert.Contains("AutoClip's history", Assert.Throws<InvalidDataException>(() => Sequential.Load(path)).Message);
        File.WriteAllBytes(path, EditHeader(adam, h => EditConfig(h, c => c["optimizer"]!["config"]!["agc_epsilon"] = 0.01, "training_config")));
        Assert.Contains("unknown setting 'agc_epsilon'", Assert.Throws<InvalidDataException>(() => Sequential.Load(path)).Message);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("sgd-momentum")]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("rmsprop")]
    [InlineData("nadam")]
    [InlineData("sgd-agc")]
    [InlineData("adam-autoclip")]
    [InlineData("adam-cosine")]
    public void Training_resumed_from_a_file_equals_training_without_a_break(string optimizer)
    {
        Optimizer Make() => optimizer switch
        {
            "sgd-agc" => new Sgd(0.05f, momentum: 0.9f, agc: 0.02f) { AgcExclude = ["bn"] },
            "adam-autoclip" => new Adam(0.01f, autoClipPercentile: 10f),
            "adam-cosine" => new Adam(0.01f) { Schedule = new CosineDecay(0.01f, decaySteps: 12, alpha: 0.1f) },
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

    private InvalidDataException Refused(byte[] bytes)
    {
        string path = PathOf("hostile.safetensors");
        File.WriteAllBytes(path, bytes);
        return Assert.Throws<InvalidDataException>(() => Sequential.Load(path));
    }

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

    [Theory]
    [MemberData(nameof(HostileModelFiles.Names), MemberType = typeof(HostileModelFiles))]
    public void A_hostile_file_is_refused_with_the_reason(string name)
    {
        var hostile = HostileModelFiles.Get(name);
        var e = Refused(hostile.Make());
        Assert.Contains("hostile.safetensors", e.Message, StringComparison.Ordinal);
        Assert.Contains(hostile.Reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_digest_is_named_as_missing_not_as_damage()
    {
        Assert.DoesNotContain("damaged", Refused(HostileModelFiles.Get("no-digest.safetensors").Make()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_beyond_the_budget_is_refused_before_its_tensors_are_read()
    {
        string path = PathOf("budget.safetensors");
        File.WriteAllBytes(path, Saved);
        long size = new FileInfo(path).Length;
        Sequential.Load(path, budget: new MemoryBudget(2 * size));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<MemoryBudgetExceededException>(() => Sequential.Load(path, budget: new MemoryBudget(2 * size - 1)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < size / 2, "the tensors were read before the budget was checked");
        Assert.StartsWith($"budget.safetensors ({MemoryBudget.Format(size)}, read and then copied into the model) would need", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Random edits of the settings (numbers, strings, booleans and nulls put in place of values), signed with a
    /// valid digest as a forger would: each file either loads into a model that runs, or is refused with
    /// InvalidDataException — never another exception.
    /// </summary>
    [Fact]
    public void Random_setting_edits_load_or_are_refused_never_crash()
    {
        byte[] bytes = Saved;
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
