using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Strata.Data;

namespace Strata.Serialization;

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
/// <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}</c>, then the raw
/// little-endian data, offsets counted from its start. Strata reads and writes float32 only. Reading checks everything
/// — header size against the file, JSON shape, dtype, dimensions, that the ranges tile the data exactly with no gap,
/// overlap or duplicate name — before allocating a single tensor, so a truncated or hostile file is refused with a
/// message and can never make the reader allocate more than the file holds, nor more than its
/// <see cref="MemoryBudget"/>.
/// </summary>
internal static class SafeTensors
{
    /// <summary>The reference implementation's limit on the header (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Writes named float32 tensors (in the given order) and optional string metadata.</summary>
    public static void Write(Stream stream, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        // The header, written field by field (no reflection, so it also works trimmed or AOT-compiled).
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) w.WriteString(key, value);
                w.WriteEndObject();
            }
            var names = new HashSet<string>(StringComparer.Ordinal) { MetadataKey };
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                if (!names.Add(name)) throw new ArgumentException($"Tensor name '{name}' is reserved or used twice.", nameof(tensors));
                long bytes = (long)tensor.Length * sizeof(float);
                w.WriteStartObject(name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (int d in tensor.Shape.Dims) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        byte[] json = buffer.ToArray();
        // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does, so the data is aligned.
        int padded = (json.Length + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var (_, tensor) in tensors)
        {
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian.");
            stream.Write(MemoryMarshal.AsBytes(tensor.Span));
        }
    }

    /// <summary>Reads every tensor and the metadata; <paramref name="source"/> names the file in error messages.</summary>
    /// <param name="stream">A seekable stream at the file's start.</param>
    /// <param name="source">Names the file in messages.</param>
    /// <param name="budget">The most the header and the tensors may take; <see cref="MemoryBudget.Default"/> when null.</param>
    /// <exception cref="InvalidDataException">The file is truncated, malformed or inconsistent; the message says how.</exception>
    /// <exception cref="MemoryBudgetExceededException">The header or the tensors would exceed <paramref name="budget"/>.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(Stream stream, string source, MemoryBudget? budget = null)
    {
        budget ??= MemoryBudget.Default;
        if (!stream.CanSeek) throw new ArgumentException("Reading safetensors needs a seekable stream (its length bounds every allocation).", nameof(stream));
        long fileLength = stream.Length - stream.Position;
        Span<byte> lengthBytes = stackalloc byte[8];
        if (fileLength < 8 || stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
            throw Bad(source, $"it holds {fileLength} bytes, fewer than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength < 2 || headerLength > (ulong)Math.Min(MaxHeaderBytes, fileLength - 8))
            throw Bad(source, $"its header claims {headerLength} bytes but the file has {fileLength - 8} after the length (and the limit is {MaxHeaderBytes})");
        budget.Require((long)headerLength, $"the header of '{source}' ({headerLength} bytes)");
        var json = new byte[headerLength];
        if (stream.ReadAtLeast(json, json.Length, throwOnEndOfStream: false) < json.Length) throw Bad(source, "the header is truncated");
        long dataLength = fileLength - 8 - (long)headerLength;

        var entries = new List<(string Name, int[] Shape, long Begin, long End)>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Bad(source, "the header is not a JSON object");
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw Bad(source, $"the name '{property.Name}' appears twice");
                if (property.Name == MetadataKey)
                {
                    foreach (var item in property.Value.EnumerateObject())
                        metadata[item.Name] = item.Value.GetString() ?? throw Bad(source, $"metadata '{item.Name}' is not a string");
                    continue;
                }
                entries.Add(ParseEntry(property, source));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw Bad(source, $"its header is not valid safetensors JSON ({e.Message})");
        }

        // The ranges must tile [0, dataLength) exactly: sorted by start, each beginning where the previous ended.
        long expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            if (e.Begin != expected)
                throw Bad(source, $"tensor '{e.Name}' starts at byte {e.Begin}, but {expected} was expected (a gap or an overlap)");
            expected = e.End;
        }
        if (expected != dataLength)
            throw Bad(source, $"the tensors cover {expected} bytes of data but the file holds {dataLength} (truncated or padded)");
        budget.Require(dataLength, $"the {entries.Count} tensor{(entries.Count == 1 ? "" : "s")} of '{source}'");

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        long dataStart = stream.Position;
        foreach (var e in entries)
        {
            var tensor = new Tensor(new Shape(e.Shape));
            stream.Position = dataStart + e.Begin;
            var bytes = MemoryMarshal.AsBytes(tensor.Span);
            if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length) throw Bad(source, $"tensor '{e.Name}' is truncated");
            tensors[e.Name] = tensor;
        }
        return (tensors, metadata);
    }

    /// <summary>
    /// Copies a safetensors file from a stream that cannot seek into memory, reading no further than it declares: the
    /// 8-byte length, a header of at most <see cref="MaxHeaderBytes"/>, then the data its tensors' offsets cover. Memory
    /// grows only with the bytes that actually arrive, so a header that claims more than the stream holds costs no more
    /// than the stream; <see cref="Read"/> then checks the copy as it checks a file. A header it cannot make sense of is
    /// copied alone, for <see cref="Read"/> to name what is wrong with it.
    /// </summary>
    /// <exception cref="InvalidDataException">The header's length is beyond the limit, or bytes follow the data.</exception>
    public static MemoryStream Buffer(Stream stream, string source, MemoryBudget? budget = null)
    {
        var copy = new MemoryStream();
        Span<byte> lengthBytes = stackalloc byte[8];
        int got = stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false);
        copy.Write(lengthBytes[..got]);
        if (got == 8)
        {
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength > MaxHeaderBytes)
                throw Bad(source, $"its header claims {headerLength} bytes (the limit is {MaxHeaderBytes})");
            if (CopyAtMost(stream, copy, (long)headerLength, source) == (long)headerLength && DeclaredDataBytes(copy, (int)headerLength) is long data)
            {
                // The buffer, then the tensors read from it and the model they fill: the declared size twice over.
                (budget ?? MemoryBudget.Default).Require(2 * (8 + (long)headerLength + data), $"{source} (a stream declaring {MemoryBudget.Format(data)} of tensors)");
                CopyAtMost(stream, copy, data, source);
                Span<byte> probe = stackalloc byte[1];
                if (copy.Length == 8 + (long)headerLength + data && stream.Read(probe) > 0)
                    throw Bad(source, $"more bytes follow the {data} bytes of data its tensors cover");
            }
        }
        copy.Position = 0;
        return copy;
    }

    /// <summary>Copies up to <paramref name="count"/> bytes, in chunks, stopping early at the end of the stream; returns how many.</summary>
    private static long CopyAtMost(Stream from, MemoryStream to, long count, string source)
    {
        if (to.Length + count > Array.MaxLength)
            throw Bad(source, $"it declares {to.Length + count} bytes, more than a stream that cannot seek can be buffered in ({Array.MaxLength})");
        var chunk = new byte[(int)Math.Min(count, 1 << 16)];
        long copied = 0;
        while (copied < count)
        {
            int read = from.Read(chunk, 0, (int)Math.Min(chunk.Length, count - copied));
            if (read == 0) break;
            to.Write(chunk, 0, read);
            copied += read;
        }
        return copied;
    }

    /// <summary>The end of the last tensor the header (the <paramref name="headerLength"/> bytes after the length) declares; null if it is not readable.</summary>
    private static long? DeclaredDataBytes(MemoryStream copy, int headerLength)
    {
        try
        {
            using var document = JsonDocument.Parse(copy.GetBuffer().AsMemory(8, headerLength), new JsonDocumentOptions { MaxDepth = 8 });
            long end = 0;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey) continue;
                end = Math.Max(end, property.Value.GetProperty("data_offsets")[1].GetInt64());
            }
            return end;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static (string, int[], long, long) ParseEntry(JsonProperty property, string source)
    {
        var value = property.Value;
        string name = property.Name;
        string? dtype = value.GetProperty("dtype").GetString();
        if (dtype != "F32") throw Bad(source, $"tensor '{name}' has dtype {dtype}; Strata reads F32 only");
        var dims = value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        long size = 1;
        foreach (long d in dims)
        {
            if (d < 0 || d > Shape.MaxSize) throw Bad(source, $"tensor '{name}' has a dimension of {d}");
            size *= d;
            if (size > Shape.MaxSize) throw Bad(source, $"tensor '{name}' declares more than {Shape.MaxSize} values");
        }
        var offsets = value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
            throw Bad(source, $"tensor '{name}' has data_offsets [{string.Join(", ", offsets)}]");
        if (offsets[1] - offsets[0] != size * sizeof(float))
            throw Bad(source, $"tensor '{name}' spans {offsets[1] - offsets[0]} bytes but its shape needs {size * sizeof(float)}");
        return (name, dims.Select(d => (int)d).ToArray(), offsets[0], offsets[1]);
    }

    private static InvalidDataException Bad(string source, string what) => new($"'{source}' is not a valid safetensors file: {what}.");
}
