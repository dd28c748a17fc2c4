using System.Buffers.Binary;
using Strata.Data;
using Strata.Serialization;

namespace Strata.Tests.Serialization;

public class SafeTensorsTests
{
    private static byte[] Sample() => HostileSafeTensors.Sample();

    private static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(byte[] bytes) =>
        SafeTensors.Read(new MemoryStream(bytes), "test.safetensors");

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

    [Theory]
    [MemberData(nameof(HostileSafeTensors.Names), MemberType = typeof(HostileSafeTensors))]
    public void A_hostile_file_is_refused_with_the_reason_before_any_large_allocation(string name)
    {
        var hostile = HostileSafeTensors.Get(name);
        byte[] bytes = hostile.Make();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Read(bytes));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
        Assert.Contains("test.safetensors", e.Message);
        Assert.Contains(hostile.Reason, e.Message);
    }

    [Fact]
    public void Tensors_beyond_the_budget_are_refused_before_they_are_allocated()
    {
        using var file = new MemoryStream();
        SafeTensors.Write(file, [("big", new Tensor(new Shape(1_000_000)))]);
        byte[] bytes = file.ToArray();
        Assert.Single(SafeTensors.Read(new MemoryStream(bytes), "big.safetensors", new MemoryBudget(4_000_000)).Tensors);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<MemoryBudgetExceededException>(() => SafeTensors.Read(new MemoryStream(bytes), "big.safetensors", new MemoryBudget(3_999_999)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
        // Both round to 3.8 MB, so the message gives the bytes.
        Assert.Equal("the 1 tensor of 'big.safetensors' would need 4000000 bytes, more than the memory budget of 3999999 bytes.", e.Message);
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
