using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Strata.Data;

namespace Strata.Tests.Data;

/// <summary>Builds PNG files for tests, chunk by chunk, each with its correct CRC.</summary>
internal static class TestPng
{
    public static byte[] Build(params (string Type, byte[] Data)[] chunks)
    {
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        foreach (var (type, data) in chunks)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
            file.Write(length);
            byte[] body = [.. Encoding.ASCII.GetBytes(type), .. data];
            file.Write(body);
            var crc = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(crc, Png.Crc32(body));
            file.Write(crc);
        }
        return file.ToArray();
    }

    public static byte[] Header(int width, int height, byte depth = 8, byte color = 0, byte interlace = 0)
    {
        var h = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(h, width);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4), height);
        (h[8], h[9], h[12]) = (depth, color, interlace);
        return h;
    }

    public static byte[] Zlib(byte[] raw)
    {
        using var buffer = new MemoryStream();
        using (var z = new ZLibStream(buffer, CompressionLevel.Optimal)) z.Write(raw);
        return buffer.ToArray();
    }

    /// <summary>
    /// A black 16-bit greyscale image of <paramref name="width"/>×<paramref name="height"/>: 4096×4096 is 32 MB of rows and
    /// 64 MB of floats once decoded, from a file of some 33 KB.
    /// </summary>
    public static byte[] Bomb(int width, int height) =>
        Build(("IHDR", Header(width, height, depth: 16)), ("IDAT", Zlib(new byte[(long)height * (2L * width + 1)])), ("IEND", []));

    /// <summary>An 8-bit greyscale image of pixel values 0..255, every row with filter None.</summary>
    public static byte[] Grey(int width, int height, ReadOnlySpan<float> pixels)
    {
        var raw = new byte[height * (width + 1)];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = (byte)pixels[y * width + x];
        return Build(("IHDR", Header(width, height)), ("IDAT", Zlib(raw)), ("IEND", []));
    }
}
