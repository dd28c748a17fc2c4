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

    [Fact]
    public void Truncations_and_flipped_bytes_are_refused()
    {
        byte[] png = File.ReadAllBytes(Fixture("rgb.png"));
        foreach (int cut in new[] { 0, 7, 8, 16, 33, png.Length / 2, png.Length - 1 }) Refused(png[..cut]);
        for (int p = 8; p < png.Length; p += 7)
        {
            var copy = (byte[])png.Clone();
            copy[p] ^= 0x04;
            Refused(copy);
        }
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
    public void Hostile_headers_are_refused_before_allocating()
    {
        Assert.Contains("pixels", Refused(TestPng.Build(("IHDR", TestPng.Header(100_000, 100_000)), ("IDAT", TestPng.Zlib([0])), ("IEND", []))).Message);
        Assert.Contains("pixels", Refused(TestPng.Build(("IHDR", TestPng.Header(-5, 3)), ("IEND", []))).Message);
        Assert.Contains("interlaced", Refused(TestPng.Build(("IHDR", TestPng.Header(2, 2, interlace: 1)), ("IEND", []))).Message);
        Assert.Contains("not supported", Refused(TestPng.Build(("IHDR", TestPng.Header(2, 2, depth: 4)), ("IEND", []))).Message);
        Assert.Contains("critical chunk", Refused(TestPng.Build(("IHDR", TestPng.Header(1, 1)), ("ZZZZ", []), ("IEND", []))).Message);
        Assert.Contains("cannot hold", Refused(TestPng.Build(("IHDR", TestPng.Header(4096, 4096, depth: 16, color: 6)), ("IDAT", TestPng.Zlib([0, 1, 2])), ("IEND", []))).Message);
        Assert.Contains("shorter", Refused(TestPng.Build(("IHDR", TestPng.Header(4, 4)), ("IDAT", TestPng.Zlib([0, 1, 2])), ("IEND", []))).Message);
        Assert.Contains("zlib", Refused(TestPng.Build(("IHDR", TestPng.Header(1, 1)), ("IDAT", [1, 2, 3, 4]), ("IEND", []))).Message);
        Assert.Contains("filter", Refused(TestPng.Build(("IHDR", TestPng.Header(1, 1)), ("IDAT", TestPng.Zlib([9, 0])), ("IEND", []))).Message);
        Assert.Contains("palette", Refused(TestPng.Build(("IHDR", TestPng.Header(1, 1, color: 3)), ("IDAT", TestPng.Zlib([0, 0])), ("IEND", []))).Message);
        Assert.Contains("IEND", Refused(TestPng.Build(("IHDR", TestPng.Header(1, 1)), ("IDAT", TestPng.Zlib([0, 0])))).Message);
    }

    [Fact]
    public void A_decompression_bomb_stops_at_the_declared_size()
    {
        // 1×1 image, but the stream inflates to 64 MiB: only the two bytes the header implies are read.
        byte[] png = TestPng.Build(("IHDR", TestPng.Header(1, 1)), ("IDAT", TestPng.Zlib(new byte[64 << 20])), ("IEND", []));
        Assert.Equal([0f], Png.ReadGreyscale(png, "bomb.png").Span.ToArray());
    }
}
