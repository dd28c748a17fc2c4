using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Strata.Data;

/// <summary>
/// Reads a PNG image (ISO/IEC 15948) as greyscale in [0, 1], the form Fashion-MNIST images take: non-interlaced,
/// 8- or 16-bit grey, grey+alpha, RGB, RGBA, or 8-bit palette. Colour becomes luma Y = 0.299R + 0.587G + 0.114B
/// (ITU-R BT.601); an alpha channel or palette transparency is composited over black, Fashion-MNIST's background
/// (a tRNS colour key on grey or RGB images is ignored).
/// <para>
/// Nothing in the file is trusted: chunk lengths are checked against the file, every chunk's CRC-32 is verified,
/// the image may hold at most <see cref="MaxPixels"/> pixels, and decompression stops at exactly the bytes the
/// header implies, so a small file cannot expand into a large allocation. What the header implies (the file, its
/// filtered rows and the decoded floats) is checked against a <see cref="MemoryBudget"/> before decoding, and
/// <see cref="ReadSize(string)"/> gives the size from the header alone, for callers that know the size they need.
/// </para>
/// </summary>
public static class Png
{
    /// <summary>The largest image accepted (4096 × 4096).</summary>
    public const int MaxPixels = 1 << 24;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] s_crcTable = CrcTable();

    /// <summary>The largest file accepted (64 MiB).</summary>
    public const int MaxFileBytes = 64 << 20;

    /// <summary>Reads <paramref name="path"/> as a [height, width] tensor of greyscale values in [0, 1].</summary>
    /// <param name="path">The file.</param>
    /// <param name="budget">The most the file and its decoding may take; <see cref="MemoryBudget.Default"/> when null.</param>
    /// <exception cref="InvalidDataException">The file is not a PNG Strata can read; the message says why.</exception>
    /// <exception cref="MemoryBudgetExceededException">Decoding the image its header declares would exceed <paramref name="budget"/>.</exception>
    public static Tensor ReadGreyscale(string path, MemoryBudget? budget = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (info.Length > MaxFileBytes) throw Bad(path, $"it is {info.Length} bytes; images above 64 MiB are refused");
        (budget ?? MemoryBudget.Default).Require(info.Length, $"'{path}' ({info.Length} bytes)");
        return ReadGreyscale(File.ReadAllBytes(path), path, budget);
    }

    /// <summary>
    /// The width and height the header of <paramref name="path"/> declares, read from its first chunk without decoding
    /// anything: a caller that needs a given size refuses another before any decompression.
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not start with a PNG signature and a sound IHDR chunk.</exception>
    public static (int Width, int Height) ReadSize(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // The signature, then IHDR (the first chunk, by the standard): length, type, 13 bytes of data, CRC.
        var start = new byte[Signature.Length + 8 + 13 + 4];
        int got;
        using (var file = File.OpenRead(path)) got = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        if (!IsPng(start.AsSpan(0, got))) throw Bad(path, "it does not start with the PNG signature");
        if (got < start.Length) throw Bad(path, "it ends before its IHDR chunk");
        var chunk = start.AsSpan(Signature.Length);
        if (BinaryPrimitives.ReadUInt32BigEndian(chunk) != 13 || !chunk.Slice(4, 4).SequenceEqual("IHDR"u8))
            throw Bad(path, "its first chunk is not a 13-byte IHDR");
        if (BinaryPrimitives.ReadUInt32BigEndian(chunk[21..]) != Crc32(chunk.Slice(4, 17)))
            throw Bad(path, "the CRC of its IHDR chunk is wrong (the file is damaged)");
        var header = ParseHeader(chunk.Slice(8, 13), path);
        return (header.Width, header.Height);
    }

    /// <summary>True when <paramref name="start"/> begins with the PNG signature.</summary>
    public static bool IsPng(ReadOnlySpan<byte> start) => start.StartsWith(Signature);

    /// <inheritdoc cref="ReadGreyscale(string, MemoryBudget)"/>
    public static Tensor ReadGreyscale(byte[] file, string source, MemoryBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!IsPng(file)) throw Bad(source, "it does not start with the PNG signature");
        int position = Signature.Length;
        Header? header = null;
        byte[] palette = [];
        byte[] paletteAlpha = [];
        using var idat = new MemoryStream();
        while (true)
        {
            if (file.Length - position < 12) throw Bad(source, "it ends before its IEND chunk");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(position));
            if (length > file.Length - position - 12) throw Bad(source, $"a chunk claims {length} bytes but the file has {file.Length - position - 12} left");
            var type = file.AsSpan(position + 4, 4);
            var data = file.AsSpan(position + 8, (int)length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(position + 8 + (int)length));
            if (crc != Crc32(file.AsSpan(position + 4, 4 + (int)length)))
                throw Bad(source, $"the CRC of its {Encoding.ASCII.GetString(type)} chunk is wrong (the file is damaged)");
            position += 12 + (int)length;
            string name = Encoding.ASCII.GetString(type);
            switch (name)
            {
                case "IHDR":
                    header = ParseHeader(data, source);
                    RequireBudget(header.Value, file.Length, source, budget ?? MemoryBudget.Default);
                    break;
                case "PLTE":
                    palette = data.ToArray();
                    break;
                case "tRNS":
                    paletteAlpha = data.ToArray();
                    break;
                case "IDAT":
                    if (header is null) throw Bad(source, "image data comes before the header");
                    idat.Write(data);
                    break;
                case "IEND":
                    if (header is not { } h) throw Bad(source, "it has no IHDR chunk");
                    return Decode(h, idat, palette, paletteAlpha, source);
                default:
                    // Unknown ancillary chunks (lower-case first letter) may be skipped; unknown critical ones may not.
                    if (char.IsUpper(name[0])) throw Bad(source, $"it has a critical chunk '{name}' Strata does not know");
                    break;
            }
        }
    }

    private readonly record struct Header(int Width, int Height, int BitDepth, int ColorType)
    {
        public int Channels => ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        public int BytesPerPixel => Math.Max(1, Channels * BitDepth / 8);
        public long RowBytes => ((long)Width * Channels * BitDepth + 7) / 8;
    }

    /// <summary>
    /// Decoding holds the file, a copy of its image data (at most the file), the filtered rows and the floats at once:
    /// all of it is checked against <paramref name="budget"/> from the header, before any of it is allocated.
    /// </summary>
    private static void RequireBudget(Header h, long fileBytes, string source, MemoryBudget budget)
    {
        long rows = (h.RowBytes + 1) * h.Height, floats = (long)h.Width * h.Height * sizeof(float);
        budget.Require(2 * fileBytes + rows + floats,
            $"'{source}' ({h.Width}×{h.Height}, {h.BitDepth}-bit, {h.Channels} channel{(h.Channels == 1 ? "" : "s")})");
    }

    private static Header ParseHeader(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length != 13) throw Bad(source, "its IHDR chunk is not 13 bytes");
        int width = BinaryPrimitives.ReadInt32BigEndian(data), height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
        int depth = data[8], color = data[9];
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixels)
            throw Bad(source, $"it is {width}×{height}; Strata reads images of 1 to {MaxPixels} pixels");
        bool supported = color switch
        {
            0 or 2 or 4 or 6 => depth is 8 or 16,
            3 => depth == 8,
            _ => false,
        };
        if (!supported) throw Bad(source, $"colour type {color} at {depth} bits is not supported (8/16-bit grey, grey+alpha, RGB, RGBA, or 8-bit palette)");
        if (data[10] != 0 || data[11] != 0) throw Bad(source, "it uses an unknown compression or filter method");
        if (data[12] != 0) throw Bad(source, "it is interlaced (Adam7); save it without interlacing");
        return new Header(width, height, depth, color);
    }

    private static Tensor Decode(Header h, MemoryStream idat, byte[] palette, byte[] paletteAlpha, string source)
    {
        if (h.ColorType == 3 && (palette.Length == 0 || palette.Length % 3 != 0)) throw Bad(source, "it has a palette colour type but no valid PLTE chunk");
        long stride = h.RowBytes + 1; // each row starts with its filter byte
        // Deflate expands at most ≈1032:1, so image data too short to hold the rows is refused before they are allocated.
        if (idat.Length * 1032 < stride * h.Height)
            throw Bad(source, $"its {idat.Length} bytes of image data cannot hold a {h.Width}×{h.Height} image");
        var raw = new byte[stride * h.Height];
        idat.Position = 0;
        int read;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            read = z.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw Bad(source, $"its image data is not valid zlib ({e.Message})");
        }
        if (read < raw.Length) throw Bad(source, "its image data is shorter than its size requires");
        Unfilter(raw, (int)h.RowBytes, h.BytesPerPixel, h.Height, source);

        var image = new Tensor(new Shape(h.Height, h.Width));
        var pixels = image.Span;
        int bytesPerSample = h.BitDepth / 8;
        float max = h.BitDepth == 16 ? 65535f : 255f;
        for (int y = 0; y < h.Height; y++)
        {
            var row = raw.AsSpan((int)(y * stride + 1), (int)h.RowBytes);
            for (int x = 0; x < h.Width; x++)
            {
                int at = x * h.Channels * bytesPerSample;
                float value = h.ColorType switch
                {
                    0 => Sample(row, at, bytesPerSample, max),
                    4 => Sample(row, at, bytesPerSample, max) * Sample(row, at + bytesPerSample, bytesPerSample, max),
                    2 => Luma(row, at, bytesPerSample, max),
                    6 => Luma(row, at, bytesPerSample, max) * Sample(row, at + 3 * bytesPerSample, bytesPerSample, max),
                    _ => PaletteValue(row[x], palette, paletteAlpha, source),
                };
                pixels[y * h.Width + x] = value;
            }
        }
        return image;
    }

    private static float Sample(ReadOnlySpan<byte> row, int at, int bytes, float max) =>
        (bytes == 2 ? BinaryPrimitives.ReadUInt16BigEndian(row[at..]) : row[at]) / max;

    private static float Luma(ReadOnlySpan<byte> row, int at, int bytes, float max) =>
        Luma(Sample(row, at, bytes, max), Sample(row, at + bytes, bytes, max), Sample(row, at + 2 * bytes, bytes, max));

    private static float Luma(float r, float g, float b) => 0.299f * r + 0.587f * g + 0.114f * b;

    private static float PaletteValue(int index, byte[] palette, byte[] alpha, string source)
    {
        if (index * 3 + 2 >= palette.Length) throw Bad(source, $"a pixel uses palette entry {index}, beyond its {palette.Length / 3} colours");
        float a = index < alpha.Length ? alpha[index] / 255f : 1f;
        return Luma(palette[index * 3] / 255f, palette[index * 3 + 1] / 255f, palette[index * 3 + 2] / 255f) * a;
    }

    /// <summary>Undoes the per-row filters (None, Sub, Up, Average, Paeth) in place; a = left, b = up, c = up-left.</summary>
    private static void Unfilter(byte[] raw, int rowBytes, int bpp, int height, string source)
    {
        int stride = rowBytes + 1;
        for (int y = 0; y < height; y++)
        {
            int start = y * stride + 1;
            byte filter = raw[start - 1];
            var row = raw.AsSpan(start, rowBytes);
            var up = y > 0 ? raw.AsSpan(start - stride, rowBytes) : default;
            for (int i = 0; i < rowBytes; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0, b = y > 0 ? up[i] : 0, c = y > 0 && i >= bpp ? up[i - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw Bad(source, $"row {y} has an unknown filter type {filter}"),
                };
                row[i] = (byte)(row[i] + predictor);
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>CRC-32 (ISO 3309, reflected polynomial 0xEDB88320), as PNG chunks carry it.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data) crc = s_crcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFF;
    }

    private static uint[] CrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    private static InvalidDataException Bad(string source, string what) => new($"'{source}' cannot be read as a PNG image: {what}.");
}
