using Strata.Layers;

namespace Strata.Data.Files;

/// <summary>One image file as a batch of one, decoded and resized as <see cref="ImageFolder"/> reads each of its files.</summary>
public static class ImageFile
{
    /// <summary>
    /// True when <paramref name="start"/> (a file's first bytes, 8 are enough) opens a PNG, JPEG, BMP or GIF: the
    /// formats image folders take, recognised by content.
    /// </summary>
    public static bool IsImage(ReadOnlySpan<byte> start) =>
        start.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G'])
        || start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || start.StartsWith("BM"u8)
        || start.StartsWith("GIF8"u8);

    /// <summary>The (height, width) an image file's header declares, read without decoding it.</summary>
    /// <exception cref="InvalidDataException">Not an image Skia can read.</exception>
    public static Size2D ReadSize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var codec = SkiaSharp.SKCodec.Create(path, out var result)
            ?? throw new InvalidDataException($"'{path}' is not an image Skia can read ({result}); images are PNG, JPEG, BMP or GIF files.");
        return new Size2D(codec.Info.Height, codec.Info.Width);
    }

    /// <summary>
    /// Reads <paramref name="path"/> as [1, height, width, channels], resized to <paramref name="size"/>, grey or RGB,
    /// pixels scaled by <paramref name="rescale"/>; its declared size is checked against the budget before decoding.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an image Keras reads, or corrupt; the message names it.</exception>
    /// <exception cref="MemoryBudgetExceededException">Its declared size exceeds the budget.</exception>
    public static Tensor Read(string path, Size2D size, ColorMode colorMode, float rescale = 1f / 255, MemoryBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (size.Height <= 0 || size.Width <= 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, "The image size must be positive on both axes.");
        var reader = new ImageReader(size, colorMode, rescale, budget ?? MemoryBudget.Default, reserved: 0);
        var image = new Tensor(new Shape(1, size.Height, size.Width, reader.Channels));
        reader.Read(path, image.Span);
        return image;
    }
}
