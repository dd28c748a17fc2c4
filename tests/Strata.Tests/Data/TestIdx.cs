using System.Buffers.Binary;
using System.IO.Compression;

namespace Strata.Tests.Data;

/// <summary>Builds IDX files for tests byte by byte: headers that may lie, gzip, and a gzip bomb.</summary>
internal static class TestIdx
{
    /// <summary>An IDX header: magic with the given type and rank, then big-endian dimensions.</summary>
    public static byte[] Header(byte type, params int[] dims)
    {
        var header = new byte[4 + 4 * dims.Length];
        header[2] = type;
        header[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        return header;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal))
            gz.Write(bytes);
        return output.ToArray();
    }

    /// <summary>
    /// A consistent gzip IDX file of <paramref name="images"/> black 28×28 unsigned-byte images: its header tells the
    /// truth, yet 200 000 images (157 MB of pixels, 627 MB as floats) compress to about 150 KB. Written in chunks, so
    /// the test itself never holds the pixels.
    /// </summary>
    public static void WriteGzipBomb(string path, int images)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Optimal);
        gz.Write(Header(0x08, images, 28, 28));
        var zeros = new byte[28 * 28 * 1000];
        for (int done = 0; done < images; done += 1000)
            gz.Write(zeros.AsSpan(0, 28 * 28 * Math.Min(1000, images - done)));
    }
}
