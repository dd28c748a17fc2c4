namespace Strata.Data.Files;

/// <summary>
/// Bilinear resizing as TensorFlow's <c>tf.image.resize(method="bilinear", antialias=False)</c>, which Keras's
/// <c>image_dataset_from_directory</c> calls: half-pixel centres (output pixel i samples the input at
/// (i + ½)·in/out − ½), neighbours clamped at the edges, no antialiasing when shrinking, all in float32 in TensorFlow's
/// order of operations, so the values are Keras's (up to the decoders'). The same size gives the image unchanged.
/// </summary>
internal static class BilinearResize
{
    /// <summary>The two source indices an output index blends, and the weight of the second.</summary>
    private readonly record struct Tap(int Lower, int Upper, float Lerp);

    /// <summary>
    /// Resizes 8-bit pixels, <paramref name="source"/> [inHeight, inWidth, pixelStride] of which the first
    /// <paramref name="channels"/> of each pixel are read, to floats multiplied by <paramref name="rescale"/> in
    /// <paramref name="destination"/> [outHeight, outWidth, channels].
    /// </summary>
    public static void Resize(ReadOnlySpan<byte> source, int inHeight, int inWidth, int pixelStride, int channels,
        int outHeight, int outWidth, float rescale, Span<float> destination)
    {
        Tap[] ys = Taps(inHeight, outHeight), xs = Taps(inWidth, outWidth);
        int rowStride = inWidth * pixelStride;
        int o = 0;
        for (int y = 0; y < outHeight; y++)
        {
            var (top, bottom, yLerp) = ys[y];
            var topRow = source.Slice(top * rowStride, rowStride);
            var bottomRow = source.Slice(bottom * rowStride, rowStride);
            for (int x = 0; x < outWidth; x++)
            {
                int left = xs[x].Lower * pixelStride, right = xs[x].Upper * pixelStride;
                float xLerp = xs[x].Lerp;
                for (int c = 0; c < channels; c++)
                {
                    float topValue = topRow[left + c] + (topRow[right + c] - (float)topRow[left + c]) * xLerp;
                    float bottomValue = bottomRow[left + c] + (bottomRow[right + c] - (float)bottomRow[left + c]) * xLerp;
                    destination[o++] = (topValue + (bottomValue - topValue) * yLerp) * rescale;
                }
            }
        }
    }

    /// <summary>TensorFlow's <c>compute_interpolation_weights</c> with its half-pixel scaler.</summary>
    private static Tap[] Taps(int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        var taps = new Tap[outSize];
        for (int i = 0; i < outSize; i++)
        {
            float at = (i + 0.5f) * scale - 0.5f;
            float floor = MathF.Floor(at);
            taps[i] = new Tap(Math.Max((int)floor, 0), Math.Min((int)MathF.Ceiling(at), inSize - 1), at - floor);
        }
        return taps;
    }
}
