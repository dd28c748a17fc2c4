using System.Text.Json;
using Strata.Data;

namespace Strata.Tests.Data;

public class PngTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", name);

    public static TheoryData<string> Images() => ["gray8.png", "gray16.png", "rgb.png", "rgba.png", "gray-alpha.png", "palette.png"];

    /// <summary>Files written by Pillow (tools/fixtures/png.py), with every filter type its encoder picks.</summary>
    [Theory]
    [MemberData(nameof(Images))]
    public void Reads_what_an_independent_encoder_wrote(string name)
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Fixture("png.json")));
        var values = expected.RootElement.GetProperty("images").GetProperty(name).EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var image = Png.ReadGreyscale(Fixture(name));
        Assert.Equal(new Shape(expected.RootElement.GetProperty("height").GetInt32(), expected.RootElement.GetProperty("width").GetInt32()), image.Shape);
        for (int i = 0; i < values.Length; i++) Assert.Equal(values[i], image.Span[i], 5);
    }

    private static InvalidDataException Refused(byte[] bytes) => Assert.Throws<InvalidDataException>(() => Png.ReadGreyscale(bytes, "test.png"));

    [Fact]
    public void A_hand_built_image_reads_back()
    {
        // 2×2 grey, rows filtered None and Up: [0, 255; 0+10, 255+0] = [0, 255; 10, 255].
        byte[] png = TestPng.Build(("IHDR", TestPng.Header(2, 2)), ("IDAT", TestPng.Zlib([0, 0, 255, 2, 10, 0])), ("IEND", []));
        Assert.Equal([0f, 1f, 10 / 255f, 1f], Png.ReadGreyscale(png, "t.png").Span.ToArray());
    }

    [Theory]
    [MemberData(nameof(HostilePng.Names), MemberType = typeof(HostilePng))]
    public void A_hostile_file_is_refused_with_the_reason_before_allocating(string name)
    {
        var hostile = HostilePng.Get(name);
        byte[] bytes = hostile.Make();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Refused(bytes);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20, $"{name} allocated {GC.GetAllocatedBytesForCurrentThread() - before} bytes");
        Assert.Contains("test.png", e.Message, StringComparison.Ordinal);
        Assert.Contains(hostile.Reason, e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Random bytes changed anywhere after the signature, with every chunk's CRC then made valid again so the decoder
    /// itself meets the damage: each file is read or refused with InvalidDataException, never another exception.
    /// </summary>
    [Theory]
    [MemberData(nameof(Images))]
    public void Random_damage_behind_valid_crcs_is_read_or_refused_never_a_crash(string name)
    {
        byte[] png = File.ReadAllBytes(Fixture(name));
        var random = new Random(3);
        int read = 0, refused = 0;
        for (int i = 0; i < 200; i++)
        {
            var bytes = (byte[])png.Clone();
            for (int f = 0; f < 1 + random.Next(4); f++) bytes[8 + random.Next(bytes.Length - 8)] = (byte)random.Next(256);
            for (int at = 8; at + 12 <= bytes.Length;)
            {
                uint length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));
                if (length > bytes.Length - at - 12) break;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at + 8 + (int)length), Png.Crc32(bytes.AsSpan(at + 4, 4 + (int)length)));
                at += 12 + (int)length;
            }
            try
            {
                Png.ReadGreyscale(bytes, "damaged.png");
                read++;
            }
            catch (InvalidDataException)
            {
                refused++;
            }
        }
        Assert.True(read > 0 && refused > 0, $"read {read}, refused {refused}");
    }

    [Fact]
    public void An_image_beyond_the_budget_is_refused_from_its_header()
    {
        byte[] bomb = TestPng.Bomb(4096, 4096);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<MemoryBudgetExceededException>(() => Png.ReadGreyscale(bomb, "bomb.png", new MemoryBudget(64L << 20)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the budget was checked after allocating");
        Assert.StartsWith("'bomb.png' (4096×4096, 16-bit, 1 channel) would need 96 MB, more than the memory budget of 64 MB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadSize_gives_the_header_size_without_decoding()
    {
        string path = Path.Combine(Path.GetTempPath(), $"strata-size-{Guid.NewGuid():N}.png");
        try
        {
            File.WriteAllBytes(path, TestPng.Bomb(4096, 4096));
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Equal((4096, 4096), Png.ReadSize(path));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 10);
            File.WriteAllBytes(path, File.ReadAllBytes(Fixture("gray8.png")));
            using var expected = JsonDocument.Parse(File.ReadAllText(Fixture("png.json")));
            Assert.Equal((expected.RootElement.GetProperty("width").GetInt32(), expected.RootElement.GetProperty("height").GetInt32()), Png.ReadSize(path));

            foreach (string name in new[] { "rgb-cut-8.png", "rgb-cut-16.png", "rgb-flip-15.png", "negative-width.png", "4-bit.png" })
            {
                File.WriteAllBytes(path, HostilePng.Get(name).Make());
                Assert.Contains(path, Assert.Throws<InvalidDataException>(() => Png.ReadSize(path)).Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_decompression_bomb_stops_at_the_declared_size()
    {
        // 1×1 image, but the stream inflates to 64 MiB: only the two bytes the header implies are read.
        byte[] png = TestPng.Build(("IHDR", TestPng.Header(1, 1)), ("IDAT", TestPng.Zlib(new byte[64 << 20])), ("IEND", []));
        Assert.Equal([0f], Png.ReadGreyscale(png, "bomb.png").Span.ToArray());
    }
}
