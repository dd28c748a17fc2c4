namespace Strata.Kernels;

/// <summary>
/// Zero padding of NHWC images (ZeroPadding2D): the forward pass copies each input row into the middle of a zeroed
/// output row, the backward pass crops the gradient back out. Pure copies, so no vectorized twin is needed.
/// </summary>
internal static class PaddingKernels
{
    /// <summary>
    /// y[n, top + i, left + j, c] = x[n, i, j, c]; every other cell of y is 0. y is
    /// [n, top + height + bottom, left + width + right, c].
    /// </summary>
    public static void ZeroPad(ReadOnlySpan<float> x, int batch, int height, int width, int channels,
        int top, int bottom, int left, int right, Span<float> y)
    {
        // x: [n, h, w, c]; y: [n, h + top + bottom, w + left + right, c]
        int rowIn = width * channels, rowOut = (width + left + right) * channels;
        int leftCells = left * channels, outHeight = height + top + bottom;
        for (int n = 0; n < batch; n++)
        {
            var image = y.Slice(n * outHeight * rowOut, outHeight * rowOut);
            image[..(top * rowOut)].Clear();
            image[((top + height) * rowOut)..].Clear();
            for (int i = 0; i < height; i++)
            {
                var row = image.Slice((top + i) * rowOut, rowOut);
                row[..leftCells].Clear();
                x.Slice((n * height + i) * rowIn, rowIn).CopyTo(row[leftCells..]);
                row[(leftCells + rowIn)..].Clear();
            }
        }
    }

    /// <summary>dX[n, i, j, c] = dY[n, top + i, left + j, c]: the padded cells are constants and get no gradient.</summary>
    public static void Crop(ReadOnlySpan<float> dY, int batch, int height, int width, int channels,
        int top, int bottom, int left, int right, Span<float> dX)
    {
        // dY: [n, h + top + bottom, w + left + right, c]; dX: [n, h, w, c]
        int rowIn = width * channels, rowOut = (width + left + right) * channels, outHeight = height + top + bottom;
        for (int n = 0; n < batch; n++)
        {
            for (int i = 0; i < height; i++)
                dY.Slice((n * outHeight + top + i) * rowOut + left * channels, rowIn).CopyTo(dX.Slice((n * height + i) * rowIn, rowIn));
        }
    }
}
