using System.Buffers.Binary;
using System.Text;
using Strata.Serialization;
using Strata.Tests.Data;

namespace Strata.Tests.Serialization;

/// <summary>
/// safetensors files that <see cref="SafeTensors.Read"/> must refuse with an <see cref="InvalidDataException"/> before any
/// large allocation: a small file truncated at every offset, headers that lie about dtypes, sizes, offsets and names
/// or are not JSON, and a header length beyond the file.
/// </summary>
internal static class HostileSafeTensors
{
    public static IReadOnlyList<HostileFile> All { get; } = [.. Build()];

    /// <summary>Two small tensors and one metadata entry, as a file.</summary>
    public static byte[] Sample()
    {
        using var stream = new MemoryStream();
        SafeTensors.Write(stream, [("dense/kernel", Tensor.FromArray(new Shape(2, 3), 1, 2, 3, 4, 5, 6)), ("dense/bias", Tensor.FromArray(new Shape(3), -1, 0, 1))],
            new Dictionary<string, string> { ["format"] = "strata" });
        return stream.ToArray();
    }

    /// <summary>A file with the given JSON header and data bytes.</summary>
    public static byte[] WithHeader(string header, int dataBytes)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    private static IEnumerable<HostileFile> Build()
    {
        byte[] sample = Sample();
        for (int length = 0; length < sample.Length; length++)
        {
            int cut = length;
            yield return new($"cut-{cut}.safetensors", "cut", "", () => sample[..cut]);
        }

        (string Name, string Header, int DataBytes, string Reason)[] headers =
        [
            ("f64", """{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}""", 8, "dtype F64"),
            ("short-span", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", 4, "needs 8"),
            ("overlap", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}""", 6, "gap or an overlap"),
            ("gap", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "gap or an overlap"),
            ("padded", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 12, "holds 12"),
            ("giant", """{"a":{"dtype":"F32","shape":[100000,100000],"data_offsets":[0,40000000000]}}""", 4, "declares more than"),
            ("negative", """{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, "dimension of -1"),
            ("twice", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "appears twice"),
            ("array", """[1, 2, 3]""", 0, "not a JSON object"),
            ("not-json", """{"a": not json""", 0, "not valid safetensors JSON"),
            ("no-dtype", """{"a":{"shape":[1],"data_offsets":[0,4]}}""", 4, "not valid safetensors JSON"),
        ];
        foreach (var (name, header, dataBytes, reason) in headers)
            yield return HostileFile.Single($"{name}.safetensors", reason, () => WithHeader(header, dataBytes));

        yield return HostileFile.Single("header-beyond-file.safetensors", "header claims", () =>
        {
            var bytes = new byte[16];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
            return bytes;
        });
    }

    /// <summary>The names, for a theory over the catalogue.</summary>
    public static TheoryData<string> Names() => [.. All.Select(f => f.Name)];

    public static HostileFile Get(string name) => All.Single(f => f.Name == name);
}
