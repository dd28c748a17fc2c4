using System.Buffers.Binary;
using System.IO.Compression;
using Strata.Data;

namespace Strata.Tests.Data;

public class IdxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("strata-idx-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WriteThenRead_RoundTripsShapeAndValues(bool gzip)
    {
        byte[] data = Enumerable.Range(0, 60).Select(i => (byte)(i * 37 % 256)).ToArray();
        string path = Path.Combine(_dir, "round.idx");

        Idx.Write(path, data, gzip, 3, 4, 5);
        Tensor t = Idx.Read(path);

        Assert.Equal(new Shape(3, 4, 5), t.Shape);
        Assert.Equal(data.Select(b => (float)b), t.Span.ToArray());
        byte[] head = File.ReadAllBytes(path)[..2];
        Assert.Equal(gzip, head[0] == 0x1F && head[1] == 0x8B);
    }

    [Fact]
    public void Write_WithoutGzipFlag_WritesRawBigEndianHeader()
    {
        string path = Path.Combine(_dir, "raw.idx");
        Idx.Write(path, new byte[] { 7, 8 }, 2);
        Assert.Equal(new byte[] { 0, 0, 8, 1, 0, 0, 0, 2, 7, 8 }, File.ReadAllBytes(path));
    }

    [Fact]
    public void GzipIsDetectedByMagicNotByExtension()
    {
        string gzNamedRaw = Path.Combine(_dir, "looks-compressed.gz");
        string rawNamedGz = Path.Combine(_dir, "looks-raw.idx");
        Idx.Write(gzNamedRaw, new byte[] { 1, 2, 3 }, gzip: false, 3);
        Idx.Write(rawNamedGz, new byte[] { 1, 2, 3 }, gzip: true, 3);

        Assert.Equal(new float[] { 1, 2, 3 }, Idx.Read(gzNamedRaw).Span.ToArray());
        Assert.Equal(new float[] { 1, 2, 3 }, Idx.Read(rawNamedGz).Span.ToArray());
    }

    public static TheoryData<byte, byte[], float[]> ElementTypes => new()
    {
        { 0x08, [0, 1, 127, 128, 255], [0, 1, 127, 128, 255] },
        { 0x09, [0x80, 0xFF, 0x00, 0x7F], [-128, -1, 0, 127] },
        { 0x0B, [0x80, 0x00, 0x04, 0xD2, 0xFF, 0xFF], [-32768, 1234, -1] },
        { 0x0C, [0x80, 0, 0, 0, 0x01, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFB], [int.MinValue, 16777216, -5] },
        { 0x0D, BigEndianSingles(1.5f, -2.25f, float.MaxValue), [1.5f, -2.25f, float.MaxValue] },
        { 0x0E, BigEndianDoubles(0.125, -3.5, 1e300), [0.125f, -3.5f, float.PositiveInfinity] },
    };

    [Theory]
    [MemberData(nameof(ElementTypes))]
    public void Read_ConvertsEveryElementTypeToFloat(byte type, byte[] payload, float[] expected)
    {
        byte[] file = [.. Header(type, expected.Length), .. payload];
        foreach (bool gzip in new[] { false, true })
        {
            string path = WriteFile($"type{type:X2}-{gzip}.idx", gzip ? Gzip(file) : file);
            Tensor t = Idx.Read(path);
            Assert.Equal(new Shape(expected.Length), t.Shape);
            Assert.Equal(expected, t.Span.ToArray());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_FromNonSeekableStream_Works(bool gzip)
    {
        byte[] file = [.. Header(0x08, 2, 2), 1, 2, 3, 4];
        using var stream = new ForwardOnlyStream(gzip ? Gzip(file) : file);
        Tensor t = Idx.Read(stream, "pipe");
        Assert.Equal(new Shape(2, 2), t.Shape);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, t.Span.ToArray());
    }

    [Fact]
    public void Read_ZeroSizedDimension_GivesEmptyTensor()
    {
        string path = WriteFile("empty.idx", Header(0x08, 0, 28, 28));
        Tensor t = Idx.Read(path);
        Assert.Equal(new Shape(0, 28, 28), t.Shape);
        Assert.Equal(0, t.Length);
    }

    [Theory]
    [InlineData(0x08)]
    [InlineData(0x0E)]
    public void Read_FileTruncatedAtEveryOffset_IsRefusedNamingTheFile(byte type)
    {
        int size = type == 0x0E ? 8 : 1;
        byte[] full = [.. Header(type, 2, 3), .. Enumerable.Range(1, 6 * size).Select(i => (byte)i)];
        for (int length = 0; length < full.Length; length++)
        {
            string path = WriteFile($"cut-{length}.idx", full[..length]);
            var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);

            using var pipe = new ForwardOnlyStream(full[..length]);
            e = Assert.Throws<InvalidDataException>(() => Idx.Read(pipe, "pipe-source"));
            Assert.Contains("pipe-source", e.Message, StringComparison.Ordinal);
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_GzipWithUncompressedContentTruncatedAtEveryOffset_IsRefused()
    {
        byte[] full = [.. Header(0x08, 2, 3), 1, 2, 3, 4, 5, 6];
        for (int length = 0; length < full.Length; length++)
        {
            string path = WriteFile($"cut-{length}.idx.gz", Gzip(full[..length]));
            var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_GzipStreamCutShort_IsRefusedNamingTheFile()
    {
        // The compressed stream itself ends early: the decompressor either reports corruption or
        // yields too few bytes; both must surface as an InvalidDataException naming the file.
        // Cuts inside the 8-byte trailer (CRC32 and size) are left out: .NET's GZipStream does not check
        // the trailer, and by then every data byte has arrived, so the data read is still complete.
        byte[] gz = Gzip([.. Header(0x08, 64), .. Enumerable.Range(0, 64).Select(i => (byte)(i * 13))]);
        for (int length = 2; length < gz.Length - 8; length++)
        {
            string path = WriteFile($"gzcut-{length}.gz", gz[..length]);
            var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_CorruptGzip_IsRefusedNamingTheFile()
    {
        string path = WriteFile("corrupt.gz", [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_GiantDeclaredSizeInTinyFile_FailsWithoutAllocatingIt(bool gzip)
    {
        // 1e9 values would be a 4 GB float array; the file holds ten bytes.
        byte[] file = [.. Header(0x08, 1_000_000, 1000), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        string path = WriteFile($"giant-{gzip}.idx", gzip ? Gzip(file) : file);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 << 20, $"Reading a lying header allocated {allocated} bytes.");
    }

    [Fact]
    public void Read_GiantDeclaredSizeOnNonSeekableStream_FailsWithoutAllocatingIt()
    {
        using var pipe = new ForwardOnlyStream([.. Header(0x0E, 0x7FFFFFC7), 1, 2, 3]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(pipe, "pipe-source"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("pipe-source", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 << 20, $"Reading a lying header allocated {allocated} bytes.");
    }

    [Theory]
    [InlineData(new[] { 65536, 65536, 65536 })]
    [InlineData(new[] { int.MaxValue, int.MaxValue })]
    [InlineData(new[] { 2, 2, 2, 2, 2, 2, 2, int.MaxValue })]
    [InlineData(new[] { 0x7FFFFFC8 })]
    public void Read_DimensionsBeyondOneArray_AreRefused(int[] dims)
    {
        string path = WriteFile("huge.idx", [.. Header(0x08, dims), 1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("more than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NegativeDimension_IsRefused()
    {
        string path = WriteFile("negative.idx", [.. Header(0x08, 2, -1), 1, 2]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("non-negative", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0x00, 0x08, 0x01 })]
    [InlineData(new byte[] { 0x00, 0x01, 0x08, 0x01 })]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04 })]
    [InlineData(new byte[] { 0x00, 0x00, 0x0A, 0x01 })]
    [InlineData(new byte[] { 0x00, 0x00, 0x07, 0x01 })]
    [InlineData(new byte[] { 0x00, 0x00, 0xFF, 0x01 })]
    public void Read_WrongMagic_IsRefused(byte[] magic)
    {
        string path = WriteFile("magic.idx", [.. magic, 0, 0, 0, 1, 42]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("magic", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    [InlineData(255)]
    public void Read_RankOutsideOneToEight_IsRefused(byte rank)
    {
        byte[] file = [0, 0, 0x08, rank, .. new byte[4 * rank], 1];
        foreach (bool gzip in new[] { false, true })
        {
            string path = WriteFile($"rank{rank}-{gzip}.idx", gzip ? Gzip(file) : file);
            var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("rank", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_RankEight_IsAccepted()
    {
        string path = WriteFile("rank8.idx", [.. Header(0x08, 1, 1, 1, 1, 1, 1, 1, 2), 5, 6]);
        Assert.Equal(new Shape(1, 1, 1, 1, 1, 1, 1, 2), Idx.Read(path).Shape);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_TrailingBytes_AreRefused(bool gzip)
    {
        byte[] file = [.. Header(0x08, 3), 1, 2, 3, 99];
        string path = WriteFile($"trailing-{gzip}.idx", gzip ? Gzip(file) : file);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected bytes", e.Message, StringComparison.Ordinal);

        using var pipe = new ForwardOnlyStream(file);
        e = Assert.Throws<InvalidDataException>(() => Idx.Read(pipe, "pipe-source"));
        Assert.Contains("pipe-source", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => Idx.Read(Path.Combine(_dir, "absent.idx")));
    }

    [Fact]
    public void Write_RejectsInconsistentArguments()
    {
        string path = Path.Combine(_dir, "bad.idx");
        Assert.Throws<ArgumentException>(() => Idx.Write(path, new byte[5], 2, 3));
        Assert.Throws<ArgumentException>(() => Idx.Write(path, new byte[1]));
        Assert.Throws<ArgumentException>(() => Idx.Write(path, new byte[1], 1, 1, 1, 1, 1, 1, 1, 1, 1));
        Assert.Throws<ArgumentException>(() => Idx.Write(path, ReadOnlySpan<byte>.Empty, -1));
    }

    private string WriteFile(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>An IDX header: magic with the given type and rank, then big-endian dimensions.</summary>
    private static byte[] Header(byte type, params int[] dims)
    {
        var header = new byte[4 + 4 * dims.Length];
        header[2] = type;
        header[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        return header;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal))
            gz.Write(bytes);
        return output.ToArray();
    }

    private static byte[] BigEndianSingles(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static byte[] BigEndianDoubles(params double[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleBigEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    /// <summary>Stands in for a pipe or network stream: readable, length unknown, no seeking.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
