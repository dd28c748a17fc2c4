using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace Strata.Data.Files.Tests.Images;

/// <summary>Writes the small images the tests read: encoded by Skia (PNG, JPEG, WebP), or a crafted PNG header.</summary>
internal static class TestImages
{
    /// <summary>An RGB image of <paramref name="width"/>×<paramref name="height"/> whose pixel (x, y) is <paramref name="pixel"/>(x, y).</summary>
    public static void WriteRgb(string path, int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel,
        SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var bytes = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                int at = (y * width + x) * 4;
                (bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]) = (r, g, b, 255);
            }
        }
        Encode(bitmap, path, format);
    }

    /// <summary>A one-channel grey image (a grey PNG or JPEG, not RGB with equal channels).</summary>
    public static void WriteGrey(string path, int width, int height, Func<int, int, byte> pixel,
        SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        var bytes = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++) bytes[y * width + x] = pixel(x, y);
        }
        Encode(bitmap, path, format);
    }

    private static void Encode(SKBitmap bitmap, string path, SKEncodedImageFormat format)
    {
        using var data = bitmap.Encode(format, quality: 100) ?? throw new InvalidOperationException($"Skia cannot encode {format}.");
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>
    /// A PNG that declares <paramref name="width"/>×<paramref name="height"/> RGB pixels and holds none: the signature,
    /// an IHDR chunk with a correct CRC, an empty IDAT and IEND. A few dozen bytes that would inflate to gigabytes.
    /// </summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type: RGB
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "IDAT", []);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        byte[] typed = [.. Encoding.ASCII.GetBytes(type), .. data];
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        png.Write(word);
    }

    /// <summary>The CRC-32 of PNG chunks (ISO 3309, reflected polynomial 0xEDB88320), bit by bit: a few bytes only.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
