using System.Buffers.Binary;
using System.IO.Compression;

namespace Strata.Data;

/// <summary>
/// Reads and writes IDX files, the format MNIST and Fashion-MNIST ship in: a big-endian magic
/// <c>00 00 type rank</c>, <c>rank</c> big-endian int32 dimensions, then the values row-major.
/// Files may be gzip-compressed; compression is recognised by its magic bytes, not by the file name.
/// </summary>
/// <remarks>
/// Headers are never trusted for allocation: a raw stream's declared size is checked against its length
/// before anything is allocated, and a gzip stream (whose decompressed length is unknown) is read in
/// bounded chunks into a buffer that grows only as real data arrives. A header claiming gigabytes in a
/// tiny file therefore fails with an <see cref="InvalidDataException"/> instead of exhausting memory. A consistent
/// file, raw or gzip, whose values as floats exceed the <see cref="MemoryBudget"/> is refused from its header with a
/// <see cref="MemoryBudgetExceededException"/>: a 150 KB gzip of zeros may declare, and hold, 200 000 images.
/// </remarks>
public static class Idx
{
    /// <summary>The IDX format stores the rank in one byte; real files use 1 to 4 dimensions.</summary>
    public const int MaxRank = 8;

    private const byte UnsignedByte = 0x08;
    private const byte SignedByte = 0x09;
    private const byte Int16 = 0x0B;
    private const byte Int32 = 0x0C;
    private const byte Float32 = 0x0D;
    private const byte Float64 = 0x0E;

    // A multiple of every element size, so that a chunk never splits a value.
    private const int ChunkBytes = 1 << 16;

    // First allocation for a stream of unknown length; it doubles as data arrives.
    private const int InitialCapacity = 1 << 20;

    /// <summary>Reads the IDX file at <paramref name="path"/> (raw or gzip) as float values with the file's shape.</summary>
    /// <param name="path">The file.</param>
    /// <param name="budget">The most the values may take as floats; <see cref="MemoryBudget.Default"/> when null.</param>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX file; the message says what is wrong.</exception>
    /// <exception cref="MemoryBudgetExceededException">The declared values as floats exceed <paramref name="budget"/>.</exception>
    public static Tensor Read(string path, MemoryBudget? budget = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes, FileOptions.SequentialScan);
        return Read(file, path, budget);
    }

    /// <summary>
    /// Reads one IDX file (raw or gzip) from the current position of <paramref name="stream"/> to its end.
    /// <paramref name="sourceName"/> names the data in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is not a well-formed IDX file; the message says what is wrong.</exception>
    /// <exception cref="MemoryBudgetExceededException">The declared values as floats exceed <paramref name="budget"/>.</exception>
    public static Tensor Read(Stream stream, string sourceName, MemoryBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!stream.CanRead)
            throw new ArgumentException($"The stream for '{sourceName}' is not readable.", nameof(stream));
        using var opened = Open(stream, sourceName);
        var header = ReadHeader(opened.Stream, sourceName);
        return ReadData(opened.Stream, header, opened.Remaining, sourceName, budget ?? MemoryBudget.Default);
    }

    /// <summary>
    /// The shape the header of the IDX file at <paramref name="path"/> declares (raw or gzip), read without its data:
    /// callers check it (against the input a model takes, or a budget) before reading the values.
    /// </summary>
    /// <exception cref="InvalidDataException">The header is malformed; the message says what is wrong.</exception>
    public static Shape ReadShape(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4 + 4 * MaxRank);
        using var opened = Open(file, path);
        return new Shape(ReadHeader(opened.Stream, path).Dims);
    }

    /// <summary>
    /// The stream to parse: <paramref name="stream"/> itself, or a decompressor when it starts with the gzip magic; with
    /// the bytes left when that is known (a seekable raw file).
    /// </summary>
    private static OpenedIdx Open(Stream stream, string source)
    {
        Span<byte> start = stackalloc byte[2];
        int startLength = ReadFully(stream, start, source);
        bool gzip = startLength == 2 && start[0] == 0x1F && start[1] == 0x8B;
        Stream replayed = Rewind(stream, start[..startLength]);
        if (!gzip)
            return new OpenedIdx(replayed, replayed.CanSeek ? replayed.Length - replayed.Position : null, owned: null);
        var decompressed = new GZipStream(replayed, CompressionMode.Decompress, leaveOpen: true);
        return new OpenedIdx(decompressed, null, owned: decompressed);
    }

    /// <summary>The stream <see cref="Open"/> chose, and the decompressor to dispose when it made one.</summary>
    private readonly struct OpenedIdx(Stream stream, long? remaining, IDisposable? owned) : IDisposable
    {
        public Stream Stream { get; } = stream;

        public long? Remaining { get; } = remaining;

        public void Dispose() => owned?.Dispose();
    }

    /// <summary>Writes an unsigned-byte IDX file, uncompressed. The product of <paramref name="dims"/> must equal the data length.</summary>
    public static void Write(string path, ReadOnlySpan<byte> data, params int[] dims) => Write(path, data, gzip: false, dims);

    /// <summary>Writes an unsigned-byte IDX file, gzip-compressed when <paramref name="gzip"/> is true.</summary>
    public static void Write(string path, ReadOnlySpan<byte> data, bool gzip, params int[] dims)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length is 0 or > MaxRank)
            throw new ArgumentException($"An IDX file has 1 to {MaxRank} dimensions; {dims.Length} were given.", nameof(dims));
        long size = 1;
        foreach (int d in dims)
        {
            if (d < 0)
                throw new ArgumentException($"IDX dimensions must be non-negative; got ({string.Join(", ", dims)}).", nameof(dims));
            size *= d;
            if (size > Shape.MaxSize)
                throw new ArgumentException($"Dimensions ({string.Join(", ", dims)}) hold more values than one array may.", nameof(dims));
        }
        if (size != data.Length)
            throw new ArgumentException($"Dimensions ({string.Join(", ", dims)}) hold {size} values but {data.Length} bytes were given.", nameof(data));

        var header = new byte[4 + 4 * dims.Length];
        header[2] = UnsignedByte;
        header[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using Stream output = gzip ? new GZipStream(file, CompressionLevel.Optimal) : file;
        output.Write(header);
        output.Write(data);
    }

    /// <summary>An IDX header: the element type and its size in bytes, the dimensions and the number of values.</summary>
    private sealed record IdxHeader(byte Type, int ElementSize, int[] Dims, long Count)
    {
        public long HeaderBytes => 4 + 4L * Dims.Length;

        public long DataBytes => Count * ElementSize;

        public string DimsText => string.Join(", ", Dims);
    }

    /// <summary>Parses the magic and the dimensions from a stream positioned at the magic.</summary>
    private static IdxHeader ReadHeader(Stream stream, string source)
    {
        Span<byte> magic = stackalloc byte[4];
        int got = ReadFully(stream, magic, source);
        if (got < 4)
            throw Invalid(source, $"the file is truncated: it has {got} bytes, fewer than the 4-byte magic number.");
        if (magic[0] != 0 || magic[1] != 0)
            throw Invalid(source, $"wrong magic number {Convert.ToHexString(magic)}: an IDX file starts with two zero bytes (or is gzip, starting 1F8B).");
        byte type = magic[2];
        int elementSize = ElementSize(type);
        if (elementSize == 0)
            throw Invalid(source, $"unknown element type 0x{type:X2} in the magic number; expected 08 (ubyte), 09 (sbyte), 0B (int16), 0C (int32), 0D (float32) or 0E (float64).");
        int rank = magic[3];
        if (rank is 0 or > MaxRank)
            throw Invalid(source, $"the header declares rank {rank}; IDX data must have 1 to {MaxRank} dimensions.");

        Span<byte> dimBytes = stackalloc byte[4 * MaxRank];
        dimBytes = dimBytes[..(4 * rank)];
        got = ReadFully(stream, dimBytes, source);
        if (got < dimBytes.Length)
            throw Invalid(source, $"the file is truncated in its header: rank {rank} needs {dimBytes.Length} bytes of dimensions after the magic, but only {got} follow.");

        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes[(4 * i)..]);
            if (dims[i] < 0)
                throw Invalid(source, $"dimension {i} is {dims[i]} (as a signed 32-bit value); dimensions must be non-negative.");
        }
        // Each partial product is checked before the next multiplication, so the long cannot overflow.
        for (int i = 0; i < rank; i++)
        {
            count *= dims[i];
            if (count > Shape.MaxSize)
                throw Invalid(source, $"the dimensions ({string.Join(", ", dims)}) declare more than {Shape.MaxSize} values, the most one float array may hold.");
        }
        return new IdxHeader(type, elementSize, dims, count);
    }

    /// <summary>
    /// Reads the values after the header. <paramref name="remaining"/> is the number of bytes from the magic on
    /// when the stream's length is known (a seekable raw file), else null. A raw file's length is checked first
    /// (a file that cannot hold its data is broken, whatever the budget); then the values as floats against the budget,
    /// which for gzip — whose inflated length is unknown — is the only check before reading.
    /// </summary>
    private static Tensor ReadData(Stream stream, IdxHeader header, long? remaining, string source, MemoryBudget budget)
    {
        var (type, elementSize, dims, count) = (header.Type, header.ElementSize, header.Dims, header.Count);
        long dataBytes = header.DataBytes;
        if (remaining is long known)
        {
            long available = known - header.HeaderBytes;
            if (available < dataBytes)
                throw Invalid(source, $"the file is truncated: dimensions ({header.DimsText}) of {elementSize}-byte values need {dataBytes} bytes of data, but only {available} follow the header.");
            if (available > dataBytes)
                throw Invalid(source, $"{available - dataBytes} unexpected bytes follow the {dataBytes} bytes of data that dimensions ({header.DimsText}) declare.");
        }
        budget.Require(count * sizeof(float), $"'{source}' ({string.Join('×', dims)} values as floats)");

        float[] values = ReadValues(stream, type, elementSize, count, lengthKnown: remaining is not null, dims, source);

        Span<byte> extra = stackalloc byte[1];
        if (ReadFully(stream, extra, source) != 0)
            throw Invalid(source, $"unexpected bytes follow the {dataBytes} bytes of data that dimensions ({header.DimsText}) declare.");
        return new Tensor(new Shape(dims), values);
    }

    /// <summary>
    /// Reads <paramref name="count"/> values chunk by chunk. When the length was not verified beforehand the
    /// result array starts small and doubles, so memory follows the data actually present, not the header.
    /// </summary>
    private static float[] ReadValues(Stream stream, byte type, int elementSize, long count, bool lengthKnown, int[] dims, string source)
    {
        float[] values = lengthKnown || count <= InitialCapacity ? new float[count] : new float[InitialCapacity];
        var chunk = new byte[(int)Math.Min(ChunkBytes, Math.Max(count * elementSize, 1))];
        long done = 0;
        while (done < count)
        {
            int n = (int)Math.Min(chunk.Length / elementSize, count - done);
            int got = ReadFully(stream, chunk.AsSpan(0, n * elementSize), source);
            if (got < n * elementSize)
            {
                long total = done * elementSize + got;
                throw Invalid(source, $"the file is truncated: dimensions ({string.Join(", ", dims)}) of {elementSize}-byte values need {count * elementSize} bytes of data, but the data ends after {total}.");
            }
            if (done + n > values.Length)
                Array.Resize(ref values, (int)Math.Min(count, Math.Max(2L * values.Length, done + n)));
            ConvertToFloat(chunk.AsSpan(0, got), type, values.AsSpan((int)done, n));
            done += n;
        }
        return values;
    }

    /// <summary>Converts big-endian values of the given IDX type to floats.</summary>
    private static void ConvertToFloat(ReadOnlySpan<byte> source, byte type, Span<float> destination)
    {
        switch (type)
        {
            case UnsignedByte:
                for (int i = 0; i < destination.Length; i++) destination[i] = source[i];
                break;
            case SignedByte:
                for (int i = 0; i < destination.Length; i++) destination[i] = (sbyte)source[i];
                break;
            case Int16:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt16BigEndian(source[(2 * i)..]);
                break;
            case Int32:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt32BigEndian(source[(4 * i)..]);
                break;
            case Float32:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleBigEndian(source[(4 * i)..]);
                break;
            case Float64:
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleBigEndian(source[(8 * i)..]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), $"IDX type 0x{type:X2} has no conversion.");
        }
    }

    /// <summary>Bytes per value of an IDX type code, or 0 when the code is not one the format defines.</summary>
    private static int ElementSize(byte type) => type switch
    {
        UnsignedByte or SignedByte => 1,
        Int16 => 2,
        Int32 or Float32 => 4,
        Float64 => 8,
        _ => 0,
    };

    /// <summary>
    /// Fills <paramref name="buffer"/> unless the stream ends first; returns the bytes read. Corrupt gzip data
    /// surfaces from the decompressor as an <see cref="InvalidDataException"/> that does not name the file, so
    /// it is rethrown with the name.
    /// </summary>
    private static int ReadFully(Stream stream, Span<byte> buffer, string source)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int got = stream.Read(buffer[total..]);
                if (got == 0) break;
                total += got;
            }
        }
        catch (InvalidDataException e)
        {
            throw Invalid(source, $"the gzip data is corrupt ({e.Message})", e);
        }
        return total;
    }

    /// <summary>
    /// Returns a stream that yields <paramref name="consumed"/> and then the rest of <paramref name="stream"/>:
    /// a seek back when the stream allows it, otherwise a wrapper that replays the bytes.
    /// </summary>
    private static Stream Rewind(Stream stream, ReadOnlySpan<byte> consumed)
    {
        if (stream.CanSeek)
        {
            stream.Position -= consumed.Length;
            return stream;
        }
        return new ReplayStream(consumed.ToArray(), stream);
    }

    private static InvalidDataException Invalid(string source, string problem, Exception? inner = null) =>
        new($"'{source}' is not a valid IDX file: {problem}", inner);

    /// <summary>A read-only forward stream: some already-consumed bytes, then the rest of an inner stream.</summary>
    private sealed class ReplayStream(byte[] prefix, Stream inner) : Stream
    {
        private int _prefixPosition;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer)
        {
            if (_prefixPosition < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _prefixPosition);
                prefix.AsSpan(_prefixPosition, n).CopyTo(buffer);
                _prefixPosition += n;
                return n;
            }
            return inner.Read(buffer);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
