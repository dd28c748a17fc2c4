using Strata.Data;
using System.Buffers.Binary;
using Strata.Optimizers;

namespace Strata.Tests.Serialization;

/// <summary><see cref="Sequential.Load(Stream, bool, Strata.Data.MemoryBudget)"/>: seekable streams as files, others read only as far as the header declares.</summary>
public sealed class ModelStreamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("strata-stream-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (Sequential Model, byte[] Bytes) Saved()
    {
        var model = new Sequential(new Strata.Layers.Flatten(inputShape: [8, 8, 1]), new Strata.Layers.BatchNormalization(),
            new Strata.Layers.Dense(3, activation: "softmax", name: "out")) { Seed = 2 };
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var (x, y) = TestModelFile.Images(32, 1);
        model.Fit(x, y, epochs: 1, batchSize: 16, seed: 3);
        string path = Path.Combine(_dir, "model.strata");
        model.Save(path);
        return (model, File.ReadAllBytes(path));
    }

    private static void AssertSame(Sequential expected, Sequential actual)
    {
        var (x, _) = TestModelFile.Images(8, 5);
        Assert.Equal(expected.Predict(x).Span.ToArray(), actual.Predict(x).Span.ToArray());
        Assert.Equal(expected.Optimizer!.Iterations, actual.Optimizer!.Iterations);
        Assert.Equal(expected.EpochsCompleted, actual.EpochsCompleted);
    }

    [Fact]
    public void A_seekable_or_forward_only_stream_loads_what_the_file_holds()
    {
        var (model, bytes) = Saved();
        using var memory = new MemoryStream(bytes);
        AssertSame(model, Sequential.Load(memory));
        Assert.True(memory.CanRead); // left open

        var forward = new ForwardOnlyStream(bytes);
        AssertSame(model, Sequential.Load(forward));
        Assert.Equal(bytes.Length, forward.BytesRead);

        // From the stream's position: a model inside a larger stream.
        using var prefixed = new MemoryStream([.. new byte[7], .. bytes]) { Position = 7 };
        AssertSame(model, Sequential.Load(prefixed));
        using var file = File.OpenRead(Path.Combine(_dir, "model.strata"));
        Assert.Null(Sequential.Load(file, compile: false).Optimizer);
    }

    [Fact]
    public void A_hostile_forward_only_stream_is_refused_and_read_no_further_than_declared()
    {
        var (_, bytes) = Saved();
        foreach (int cut in new[] { 0, 3, 8, 40, bytes.Length / 2, bytes.Length - 1 })
            Assert.Throws<InvalidDataException>(() => Sequential.Load(new ForwardOnlyStream(bytes[..cut])));
        var flipped = (byte[])bytes.Clone();
        flipped[^5] ^= 1;
        Assert.Contains("damaged", Assert.Throws<InvalidDataException>(() => Sequential.Load(new ForwardOnlyStream(flipped))).Message, StringComparison.Ordinal);

        // Bytes after the data, or a stream that never ends: refused after one byte more than the file.
        var endless = new ForwardOnlyStream(bytes, endless: true);
        var e = Assert.Throws<InvalidDataException>(() => Sequential.Load(endless));
        Assert.Contains("the model stream", e.Message, StringComparison.Ordinal);
        Assert.Contains("more bytes follow", e.Message, StringComparison.Ordinal);
        Assert.Equal(bytes.Length + 1, endless.BytesRead);

        // A header that declares far more than arrives costs what arrives, not what it declares.
        var claim = new byte[108];
        BinaryPrimitives.WriteUInt64LittleEndian(claim, 90_000_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(() => Sequential.Load(new ForwardOnlyStream(claim)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4_000_000);
        BinaryPrimitives.WriteUInt64LittleEndian(claim, 200_000_000);
        Assert.Contains("the limit is", Assert.Throws<InvalidDataException>(() => Sequential.Load(new ForwardOnlyStream(claim))).Message, StringComparison.Ordinal);

        // Tensors declared far beyond the memory budget: refused from the header, before any data is copied; within a
        // budget that would allow them, the copy stops at the end of the stream.
        byte[] giant = TestModelFile.EditHeader(bytes, h => h["out/kernel"]!["data_offsets"] = new System.Text.Json.Nodes.JsonArray(0, 1L << 40), fixDigest: false);
        Assert.Throws<MemoryBudgetExceededException>(() => Sequential.Load(new ForwardOnlyStream(giant)));
        Assert.Throws<InvalidDataException>(() => Sequential.Load(new ForwardOnlyStream(giant), budget: new MemoryBudget(1L << 42)));
        Assert.Throws<ArgumentException>(() => Sequential.Load(new ForwardOnlyStream(bytes, readable: false)));
    }

    /// <summary>A stream that cannot seek or tell its length, counting what is read; endless, it yields zeros after the bytes.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes, bool endless = false, bool readable = true) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => readable;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            int available = endless ? buffer.Length : (int)Math.Min(buffer.Length, bytes.Length - BytesRead);
            for (int i = 0; i < available; i++) buffer[i] = BytesRead + i < bytes.Length ? bytes[BytesRead + i] : (byte)0;
            BytesRead += available;
            return available;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
