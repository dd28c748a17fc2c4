using System.Runtime.InteropServices;
using SkiaSharp;
using Strata.Layers;

namespace Strata.Data.Files;

/// <summary>
/// Reads one image file after another into rows of a dataset: decoded by Skia (the decoders of Chrome and Android),
/// converted to the color mode, resized as Keras resizes. The file's content decides how it is decoded, not its
/// name; a format Keras does not read (WebP, HEIF, …) is refused.
/// <para>
/// Nothing is decoded before the size the header declares has been checked against the memory budget, together
/// with the dataset already allocated: Skia reads width and height without decoding, so a small file declaring
/// 60000×60000 pixels is refused with its name before a byte of it is inflated. The decoding buffers are kept and
/// reused from image to image. <c>reserved</c> is the bytes already allocated for the dataset, counted against the
/// budget beside each image.
/// </para>
/// </summary>
internal sealed class ImageReader(Size2D size, ColorMode colorMode, float rescale, MemoryBudget budget, long reserved)
{
    private const int RgbaBytes = 4;

    private byte[] _rgba = [];
    private byte[] _grey = [];

    /// <summary>The channels of a row: 1 or 3.</summary>
    public int Channels { get; } = colorMode == ColorMode.Grayscale ? 1 : 3;

    /// <summary>Decodes <paramref name="path"/> into <paramref name="destination"/>, [height, width, channels].</summary>
    /// <exception cref="InvalidDataException">The file is not an image Keras reads, or is corrupt.</exception>
    /// <exception cref="MemoryBudgetExceededException">Its declared size would not fit beside the dataset.</exception>
    public void Read(string path, Span<float> destination)
    {
        using var codec = SKCodec.Create(path, out SKCodecResult opened)
            ?? throw new InvalidDataException($"'{path}' is not an image Skia can read ({opened}); image folders take PNG, JPEG, BMP and GIF files.");
        if (codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Bmp or SKEncodedImageFormat.Gif))
            throw new InvalidDataException($"'{path}' holds a {codec.EncodedFormat} image; image folders take PNG, JPEG, BMP and GIF files, as Keras.");

        int width = codec.Info.Width, height = codec.Info.Height;
        long pixels = (long)width * height;
        long decodeBytes = pixels * (RgbaBytes + (Channels == 1 ? 1 : 0));
        budget.Require(reserved + decodeBytes, $"Decoding '{path}' ({width}×{height} pixels, as its header declares) beside the dataset");
        if (pixels * RgbaBytes > Array.MaxLength)
            throw new InvalidDataException($"'{path}' declares {width}×{height} pixels, more than one image can hold in memory.");

        Decode(codec, path, width, height);
        ReadOnlySpan<byte> source = _rgba.AsSpan(0, (int)pixels * RgbaBytes);
        int stride = RgbaBytes;
        if (Channels == 1)
        {
            source = ToGrey(source, (int)pixels);
            stride = 1;
        }
        BilinearResize.Resize(source, height, width, stride, Channels, size.Height, size.Width, rescale, destination);
    }

    /// <summary>
    /// Decodes to 8-bit RGBA, unpremultiplied: colour as stored, whatever the alpha, as TensorFlow's decoders drop an
    /// alpha channel when asked for RGB or grey. No colour-space conversion (the destination has none), as TensorFlow.
    /// </summary>
    private void Decode(SKCodec codec, string path, int width, int height)
    {
        int bytes = width * height * RgbaBytes;
        if (_rgba.Length < bytes) _rgba = new byte[bytes];
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var pin = GCHandle.Alloc(_rgba, GCHandleType.Pinned);
        SKCodecResult result;
        try
        {
            result = codec.GetPixels(info, pin.AddrOfPinnedObject());
        }
        finally
        {
            pin.Free();
        }
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"'{path}' is corrupt or truncated: decoding its {width}×{height} {codec.EncodedFormat} image failed ({result}).");
    }

    /// <summary>BT.601 luma, rounded half up in integers as libjpeg rounds it.</summary>
    private ReadOnlySpan<byte> ToGrey(ReadOnlySpan<byte> rgba, int pixels)
    {
        if (_grey.Length < pixels) _grey = new byte[pixels];
        for (int i = 0; i < pixels; i++)
        {
            int r = rgba[i * RgbaBytes], g = rgba[i * RgbaBytes + 1], b = rgba[i * RgbaBytes + 2];
            _grey[i] = (byte)((299 * r + 587 * g + 114 * b + 500) / 1000);
        }
        return _grey.AsSpan(0, pixels);
    }
}
