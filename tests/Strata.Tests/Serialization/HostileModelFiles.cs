using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Strata.Tests.Data;
using static Strata.Tests.Serialization.TestModelFile;

namespace Strata.Tests.Serialization;

/// <summary>
/// Model files that <see cref="Sequential.Load(string, bool, Strata.Data.MemoryBudget)"/> must refuse with an <see cref="InvalidDataException"/>: truncated,
/// with flipped bytes, and forged (re-signed with a valid digest) to declare giant layers and tensors, wrong dtypes,
/// overlaps, wrong shapes, unknown layers and settings, bad values, duplicate and stray names, other formats and
/// versions, a wrong or missing digest, deeply nested JSON, and non-finite weights or a negative variance.
/// Most start from <see cref="TestModelFile.Saved"/>.
/// </summary>
internal static class HostileModelFiles
{
    public static IReadOnlyList<HostileFile> All { get; } = [.. Build()];

    private static HostileFile Forged(string name, string reason, Action<JsonObject> edit, bool fixDigest = true) =>
        HostileFile.Single($"{name}.safetensors", reason, () => EditHeader(Saved, edit, fixDigest));

    private static IEnumerable<HostileFile> Build()
    {
        (string Name, Func<int, int> At)[] cuts =
            [("0", _ => 0), ("4", _ => 4), ("8", _ => 8), ("20", _ => 20), ("third", n => n / 3), ("half", n => n / 2), ("last-byte", n => n - 1)];
        foreach (var (name, at) in cuts) yield return new($"cut-{name}.safetensors", "cut", "", () => Saved[..at(Saved.Length)]);

        // Bytes in the data (weights, optimizer state) and in the header (names, settings, digest).
        for (int i = 0; i < 24; i++)
        {
            int which = i;
            yield return new($"flip-{(i < 12 ? "data" : "header")}-{i % 12}.safetensors", "flip", "", () =>
            {
                byte[] copy = (byte[])Saved.Clone();
                copy[FlipPositions(copy)[which]] ^= 0x10;
                return copy;
            });
        }

        yield return Forged("giant-units", "the file stores only", h => EditConfig(h, c => LayerAt(c, 10)["units"] = 1_000_000));
        yield return Forged("giant-input", "input_shape", h => EditConfig(h, c => c["config"]!["input_shape"] = new JsonArray(100_000, 100_000, 1)));
        yield return Forged("giant-tensor", "", h => h["out/kernel"]!["shape"] = new JsonArray(1 << 30, 1 << 30));
        yield return Forged("f64", "F64", h => h["out/kernel"]!["dtype"] = "F64");
        yield return Forged("overlap", "overlap", h =>
        {
            var offsets = h["out/bias"]!["data_offsets"]!.AsArray();
            offsets[0] = (long)offsets[0]! - 4;
            offsets[1] = (long)offsets[1]! - 4;
        });
        yield return Forged("shape-mismatch", "weight 'out/bias' has shape (3, 1), but its layer needs (3,)", h => h["out/bias"]!["shape"] = new JsonArray(3, 1));
        yield return Forged("lambda", "does not know", h => EditConfig(h, c => c["config"]!["layers"]![2]!["class_name"] = "Lambda"));
        yield return Forged("unknown-setting", "unknown setting 'code'", h => EditConfig(h, c => LayerAt(c, 0)["code"] = "import os"));
        yield return Forged("momentum", "momentum", h => EditConfig(h, c => LayerAt(c, 1)["momentum"] = 7));
        yield return Forged("activation", "activation", h => EditConfig(h, c => LayerAt(c, 10)["activation"] = "os.system"));
        yield return Forged("optimizer", "optimizer", h => EditConfig(h, c => c["optimizer"]!["class_name"] = "Evil", "training_config"));
        yield return Forged("no-units", "lacks", h => EditConfig(h, c => LayerAt(c, 10).Remove("units")));
        yield return Forged("twin-names", "names two layers alike", h => EditConfig(h, c => LayerAt(c, 4)["name"] = "pool"));
        // A tensor renamed: the weight is missing and a stray one appears.
        yield return Forged("renamed-tensor", "lacks weight", h => { h["stray"] = h["out/bias"]!.DeepClone(); h.Remove("out/bias"); });
        yield return Forged("pytorch", "not a Strata model", h => h["__metadata__"]!["format"] = "pytorch");
        yield return Forged("version-2", "version", h => h["__metadata__"]!["format_version"] = "2");
        yield return Forged("wrong-digest", "digest", h => EditConfig(h, c => LayerAt(c, 1)["epsilon"] = 0.5), fixDigest: false);
        yield return Forged("no-digest", "has no SHA-256 digest", h => ((JsonObject)h["__metadata__"]!).Remove("sha256"), fixDigest: false);
        yield return Forged("deep-json", "", h => h["__metadata__"]!["model_config"] = new string('[', 5000) + new string(']', 5000));

        yield return HostileFile.Single("nan-kernel.safetensors", "non-finite", () => Unsound("dense/kernel", float.NaN).Bytes);
        yield return HostileFile.Single("infinite-bias.safetensors", "non-finite", () => Unsound("dense/bias", float.PositiveInfinity).Bytes);
        yield return HostileFile.Single("negative-variance.safetensors", "negative variance", () => Unsound("batch_normalization/moving_variance", -0.5f).Bytes);
    }

    /// <summary>Twelve positions in the data, then twelve in the header (after the length), drawn from seed 1.</summary>
    private static int[] FlipPositions(byte[] file)
    {
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var random = new Random(1);
        return [.. Enumerable.Range(0, 12).Select(_ => random.Next(headerEnd, file.Length)),
            .. Enumerable.Range(0, 12).Select(_ => random.Next(8, headerEnd))];
    }

    /// <summary>The names, for a theory over the catalogue.</summary>
    public static TheoryData<string> Names() => [.. All.Select(f => f.Name)];

    public static HostileFile Get(string name) => All.Single(f => f.Name == name);
}
