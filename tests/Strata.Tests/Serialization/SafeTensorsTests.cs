using System.Buffers.Binary;
using System.Text;
using Strata.Serialization;

namespace Strata.Tests.Serialization;

public class SafeTensorsTests
{
    private static byte[] Sample()
    {
        using var stream = new MemoryStream();
        SafeTensors.Write(stream, [("dense/kernel", Tensor.FromArray(new Shape(2, 3), 1, 2, 3, 4, 5, 6)), ("dense/bias", Tensor.FromArray(new Shape(3), -1, 0, 1))],
            new Dictionary<string, string> { ["format"] = "strata" });
        return stream.ToArray();
    }

    private static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(byte[] bytes) =>
        SafeTensors.Read(new MemoryStream(bytes), "test.safetensors");

    /// <summary>A file with the given JSON header and data bytes.</summary>
    private static byte[] File(string header, int dataBytes)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    [Fact]
    public void Round_trips_bit_for_bit_with_metadata()
    {
        byte[] bytes = Sample();
        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(bytes) % 8); // the data starts 8-byte aligned
        var (tensors, metadata) = Read(bytes);
        Assert.Equal([1f, 2, 3, 4, 5, 6], tensors["dense/kernel"].Span.ToArray());
        Assert.Equal(new Shape(2, 3), tensors["dense/kernel"].Shape);
        Assert.Equal([-1f, 0, 1], tensors["dense/bias"].Span.ToArray());
        Assert.Equal("strata", metadata["format"]);
        using var again = new MemoryStream();
        SafeTensors.Write(again, [("dense/kernel", tensors["dense/kernel"]), ("dense/bias", tensors["dense/bias"])], metadata);
        Assert.Equal(bytes, again.ToArray());
    }

    [Fact]
    public void Every_truncation_is_refused_with_a_message()
    {
        byte[] bytes = Sample();
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            var e = Assert.Throws<InvalidDataException>(() => Read(bytes[..cut]));
            Assert.Contains("test.safetensors", e.Message);
        }
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}""", 8, "dtype F64")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", 4, "needs 8")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}""", 6, "gap or an overlap")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "gap or an overlap")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 12, "holds 12")]
    [InlineData("""{"a":{"dtype":"F32","shape":[100000,100000],"data_offsets":[0,40000000000]}}""", 4, "declares more than")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, "dimension of -1")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "appears twice")]
    [InlineData("""[1, 2, 3]""", 0, "not a JSON object")]
    [InlineData("""{"a": not json""", 0, "not valid safetensors JSON")]
    [InlineData("""{"a":{"shape":[1],"data_offsets":[0,4]}}""", 4, "not valid safetensors JSON")]
    public void Hostile_headers_are_refused_before_any_large_allocation(string header, int dataBytes, string reason)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Read(File(header, dataBytes)));
        Assert.Contains(reason, e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
    }

    [Fact]
    public void A_header_length_beyond_the_file_is_refused()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        Assert.Contains("header claims", Assert.Throws<InvalidDataException>(() => Read(bytes)).Message);
    }

    [Fact]
    public void Atomic_writes_replace_the_file_whole_or_not_at_all()
    {
        string path = Path.Combine(Path.GetTempPath(), $"strata-{Guid.NewGuid():N}.safetensors");
        try
        {
            AtomicFile.Write(path, s => s.Write(Sample()));
            byte[] first = System.IO.File.ReadAllBytes(path);
            // A save that dies midway leaves the previous file as it was, and no temporary file behind.
            Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
            {
                s.Write(new byte[100]);
                throw new IOException("disk gone");
            }));
            Assert.Equal(first, System.IO.File.ReadAllBytes(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, $"*{Path.GetFileName(path)}*"));
            Assert.Equal(2, Read(first).Tensors.Count);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}
