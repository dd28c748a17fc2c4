using Strata.Data;

namespace Strata.Cli.Inputs;

/// <summary>Turns images from files into the batches a saved model takes.</summary>
internal static class InputAdapter
{
    /// <summary>
    /// <paramref name="images"/> [n, h, w] viewed as [n, …model input]: a model built for [28, 28, 1] takes [n, 28, 28]
    /// images as they are, since the sizes agree.
    /// </summary>
    /// <exception cref="ArgumentException">The per-image size differs from the model's; the message gives both shapes.</exception>
    public static Tensor ToModelInput(Tensor images, Sequential model)
    {
        var perImage = images.Shape.WithoutBatch();
        if (perImage.Size != model.InputShape.Size)
            throw new ArgumentException($"Model '{model.Name}' takes inputs of shape {model.InputShape} per sample, but the images are {perImage}.");
        return images.Reshape(model.InputShape.WithBatch(images.Shape[0]));
    }

    /// <summary>
    /// Images from an IDX file ([n, h, w] or one [h, w] image, bytes 0..255, raw or gzip) or a PNG image, as
    /// greyscale in [0, 1], batched: [n, h, w]. The format is recognised by its first bytes, not the file name. The size
    /// in the file's header is checked against what <paramref name="model"/> takes before any data is read or
    /// decompressed (a 4096×4096 PNG given to a 28×28 model is refused from its first 33 bytes), and the data against
    /// <paramref name="budget"/>.
    /// </summary>
    public static Tensor ReadImages(string path, Sequential model, MemoryBudget budget)
    {
        if (Directory.Exists(path))
            throw new ArgumentException($"'{path}' is a directory; --input takes one IDX file or one PNG image.");
        byte[] start = new byte[8];
        using (var file = File.OpenRead(path)) file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        if (start[0] == 0xFF && start[1] == 0xD8 && start[2] == 0xFF)
            throw new InvalidDataException($"'{path}' is a JPEG image; --input takes an IDX file or a PNG image (convert it to PNG first).");
        if (Png.IsPng(start))
        {
            var (width, height) = Png.ReadSize(path);
            RequireImageSize(path, $"a {width}×{height} image", (long)width * height, model);
            var png = Png.ReadGreyscale(path, budget);
            return png.Reshape(png.Shape.WithBatch(1));
        }
        var shape = Idx.ReadShape(path);
        if (shape.Rank is not (2 or 3) || shape.Size == 0)
            throw new InvalidDataException($"'{path}' holds shape {shape}; images are (N, height, width) with N ≥ 1, or (height, width).");
        var perImage = shape.Rank == 3 ? shape.WithoutBatch() : shape;
        RequireImageSize(path, $"images of {perImage[0]}×{perImage[1]}", perImage.Size, model);
        var idx = Idx.Read(path, budget);
        var span = idx.Span;
        for (int i = 0; i < span.Length; i++)
            if (!(span[i] >= 0f && span[i] <= 255f))
                throw new InvalidDataException($"'{path}' holds value {span[i]} at index {i}; image pixels are 0..255.");
        System.Numerics.Tensors.TensorPrimitives.Divide(span, 255f, span);
        return idx.Shape.Rank == 3 ? idx : idx.Reshape(idx.Shape.WithBatch(1));
    }

    /// <summary>Refuses images of another size than the model's input, from the header alone.</summary>
    private static void RequireImageSize(string path, string what, long pixels, Sequential model)
    {
        if (pixels != model.InputShape.Size)
            throw new ArgumentException($"'{path}' holds {what} ({pixels} pixels), but model '{model.Name}' takes inputs of shape {model.InputShape} ({model.InputShape.Size} values) per sample.");
    }
}
