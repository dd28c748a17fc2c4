using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Strata.Layers;
using Strata.Optimizers;
using Strata.Serialization;

namespace Strata.Tests.Serialization;

/// <summary>Models and model files for tests: small data, a network of every savable layer, and header surgery as a forger does it.</summary>
internal static class TestModelFile
{
    /// <summary>Images [n, 8, 8, 1] whose class (of 3) is the brightest third of the rows.</summary>
    public static (Tensor X, Tensor Y) Images(int n, int seed)
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
    public static Sequential EveryLayer(int seed = 3) => new(
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

    /// <summary><see cref="EveryLayer"/> compiled with <paramref name="optimizer"/> and trained on <see cref="Images"/>.</summary>
    public static Sequential Trained(Optimizer optimizer, int epochs = 2)
    {
        var model = EveryLayer();
        model.Compile(optimizer, Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var (x, y) = Images(96, 1);
        model.Fit(x, y, epochs: epochs, batchSize: 16, seed: 7);
        return model;
    }

    private static readonly Lazy<byte[]> s_saved = new(() => SavedBytesOf(Trained(new Adam(), epochs: 1)));

    /// <summary>The file of <see cref="EveryLayer"/> trained one epoch with Adam: the base every forged file starts from.</summary>
    public static byte[] Saved => s_saved.Value;

    /// <summary>The bytes <see cref="Model.Save"/> writes for <paramref name="model"/>.</summary>
    public static byte[] SavedBytesOf(Sequential model, bool includeOptimizer = true)
    {
        string path = Path.Combine(Path.GetTempPath(), $"strata-saved-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path, includeOptimizer);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// A Dense → BatchNormalization → Dense model, saved with one value of the weight <paramref name="suffix"/>
    /// (<c>layer/weight</c>, matched by the start of the layer's name and the weight's) set to <paramref name="value"/>;
    /// returns the file and the weight's full name.
    /// </summary>
    public static (byte[] Bytes, string Weight) Unsound(string suffix, float value)
    {
        var model = new Sequential(new Dense(4, inputShape: [3]), new BatchNormalization(), new Dense(2)) { Seed = 1 };
        model.Build(new Shape(3));
        string[] parts = suffix.Split('/');
        var weight = model.Layers.SelectMany(l => l.Weights).First(w => w.Name.Contains(parts[1], StringComparison.Ordinal)
            && w.Name.StartsWith(parts[0], StringComparison.Ordinal));
        weight.Value[1] = value;
        return (SavedBytesOf(model, includeOptimizer: false), weight.Name);
    }

    /// <summary>Splits a file into its header JSON and data, lets <paramref name="edit"/> change the header, and rebuilds it.</summary>
    public static byte[] EditHeader(byte[] file, Action<JsonObject> edit, bool fixDigest = true)
    {
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, length))!.AsObject();
        edit(header);
        byte[] data = file[(8 + length)..];
        // A forger recomputes the digest; where the container itself is broken there is nothing to recompute.
        if (fixDigest && Redigest(header, data) is { } digest) header["__metadata__"]!["sha256"] = digest;
        return Assemble(header, data);
    }

    /// <summary>The digest a forger would write: SHA-256 computed the way the writer does, through a round trip of SafeTensors.</summary>
    private static string? Redigest(JsonObject header, byte[] data)
    {
        try
        {
            var (tensors, metadata) = SafeTensors.Read(new MemoryStream(Assemble(header, data)), "forged");
            return ModelFile.DigestOf(metadata, tensors);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static byte[] Assemble(JsonObject header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    /// <summary>Edits one JSON document of the metadata (<c>model_config</c> by default) in place.</summary>
    public static void EditConfig(JsonObject header, Action<JsonObject> edit, string key = "model_config")
    {
        var metadata = header["__metadata__"]!.AsObject();
        var config = JsonNode.Parse((string)metadata[key]!)!.AsObject();
        edit(config);
        metadata[key] = config.ToJsonString();
    }

    /// <summary>The configuration of layer <paramref name="i"/> in a model_config.</summary>
    public static JsonObject LayerAt(JsonObject config, int i) => config["config"]!["layers"]![i]!["config"]!.AsObject();
}
