namespace Strata.Kernels;

/// <summary>
/// Integer translation of one channels-last image with zero fill: y[i, j, c] = x[i − dy, j − dx, c] where that lies
/// inside the image, 0 elsewhere. Its adjoint is the opposite translation, so the backward pass is
/// <c>Shift(dY, −dy, −dx)</c>: each input cell reaches exactly one output cell or none.
/// </summary>
internal static class TranslationKernels
{
    // x, y: [h, w, c]
    public static void Shift(ReadOnlySpan<float> x, int h, int w, int c, int dy, int dx, Span<float> y)
    {
        int row = w * c;
        // Columns j with 0 ≤ j − dx < w: a run of w − |dx| pixels, starting at max(dx, 0) in y and max(−dx, 0) in x.
        int run = Math.Max(w - Math.Abs(dx), 0) * c, to = Math.Max(dx, 0) * c, from = Math.Max(-dx, 0) * c;
        for (int i = 0; i < h; i++)
        {
            var target = y.Slice(i * row, row);
            int source = i - dy;
            if ((uint)source >= (uint)h || run == 0)
            {
                target.Clear();
                continue;
            }
            target[..to].Clear();
            x.Slice(source * row + from, run).CopyTo(target.Slice(to, run));
            target[(to + run)..].Clear();
        }
    }
}
