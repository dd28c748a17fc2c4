using System.Buffers.Binary;
using Strata.Data;
using static Strata.Tests.Data.TestIdx;

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

    /// <summary>Four GiB whatever this machine has, so that the checks before the budget's are the ones tested.</summary>
    private static readonly MemoryBudget Ample = new(MemoryBudget.DefaultBytes);

    [Theory]
    [MemberData(nameof(HostileIdx.Names), MemberType = typeof(HostileIdx))]
    public void Read_HostileFile_IsRefusedNamingTheFileAndWhy_FromAFileAndFromAPipe(string name)
    {
        var hostile = HostileIdx.Get(name);
        string path = WriteFile(name, hostile.Make());

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path, Ample));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(hostile.Reason, e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 << 20, $"Reading {name} allocated {allocated} bytes.");

        // The same bytes from a pipe (no length, no seeking) are refused for the same reason.
        using var pipe = new ForwardOnlyStream(hostile.Make());
        e = Assert.Throws<InvalidDataException>(() => Idx.Read(pipe, "pipe-source", Ample));
        Assert.Contains("pipe-source", e.Message, StringComparison.Ordinal);
        Assert.Contains(hostile.Reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_GiantDeclaredSizeOnNonSeekableStream_IsRefusedByTheBudgetOrWithoutAllocatingIt()
    {
        byte[] file = [.. Header(0x0E, 0x7FFFFFC7), 1, 2, 3];
        using (var pipe = new ForwardOnlyStream(file))
        {
            var refused = Assert.Throws<MemoryBudgetExceededException>(() => Idx.Read(pipe, "pipe-source"));
            Assert.Contains("'pipe-source' (2147483591 values as floats)", refused.Message, StringComparison.Ordinal);
        }

        // Without a budget to stop it, the buffer grows only as data arrives.
        using var unbounded = new ForwardOnlyStream(file);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(unbounded, "pipe-source", new MemoryBudget(long.MaxValue)));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("pipe-source", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 << 20, $"Reading a lying header allocated {allocated} bytes.");
    }

    [Fact]
    public void Read_ConsistentGzipBombBeyondTheBudget_IsRefusedFromItsHeader()
    {
        // 200 000 black images in about 150 KB: the header tells the truth, and the floats would take 598 MB.
        string path = Path.Combine(_dir, "bomb.idx.gz");
        WriteGzipBomb(path, 200_000);
        Assert.InRange(new FileInfo(path).Length, 100_000, 400_000);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<MemoryBudgetExceededException>(() => Idx.Read(path, new MemoryBudget(256L << 20)));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal($"'{path}' (200000×28×28 values as floats) would need 598 MB, more than the memory budget of 256 MB.", e.Message);
        Assert.Equal(200_000L * 28 * 28 * sizeof(float), e.Needed);
        Assert.True(allocated < 1 << 20, $"Refusing the bomb allocated {allocated} bytes.");
    }

    [Fact]
    public void Read_RawFileBeyondTheBudget_IsRefusedBeforeReading_AndReadWithinIt()
    {
        string path = Path.Combine(_dir, "thousand.idx");
        Idx.Write(path, new byte[1000 * 28 * 28], 1000, 28, 28);

        var e = Assert.Throws<MemoryBudgetExceededException>(() => Idx.Read(path, new MemoryBudget(1 << 20)));
        Assert.Contains($"'{path}' (1000×28×28 values as floats) would need 3.0 MB", e.Message, StringComparison.Ordinal);
        Assert.Equal(new Shape(1000, 28, 28), Idx.Read(path, new MemoryBudget(4 << 20)).Shape);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadShape_GivesTheDeclaredShapeWithoutReadingTheData(bool gzip)
    {
        string path = Path.Combine(_dir, $"shape-{gzip}.idx");
        if (gzip) WriteGzipBomb(path, 200_000);
        else Idx.Write(path, new byte[5 * 28 * 28], 5, 28, 28);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var shape = Idx.ReadShape(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(gzip ? new Shape(200_000, 28, 28) : new Shape(5, 28, 28), shape);
        Assert.True(allocated < 1 << 20, $"Reading the header allocated {allocated} bytes.");
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => Idx.ReadShape(WriteFile("zip.idx", [0x50, 0x4B, 3, 4, 0, 0, 0, 1]))).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RankEight_IsAccepted()
    {
        string path = WriteFile("rank8.idx", [.. Header(0x08, 1, 1, 1, 1, 1, 1, 1, 2), 5, 6]);
        Assert.Equal(new Shape(1, 1, 1, 1, 1, 1, 1, 2), Idx.Read(path).Shape);
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
