using Strata.Data;
using Strata.Data.Files;

namespace Strata.Cli.Inputs;

/// <summary>Turns images from files into the batches a saved model takes.</summary>
internal static class InputAdapter
{
    /// <summary>
    /// <paramref name="images"/> [n, h, w] viewed as [n, …model input]: a model built for [28, 28, 1] takes [n, 28, 28]
    /// images as they are, since the sizes agree.
    /// </summary>
    /// <exception cref="ArgumentException">The per-image size differs from the model's; the message gives both shapes.</exception>
    public static Tensor ToModelInput(Tensor images, Model model)
    {
        var perImage = images.Shape.WithoutBatch();
        if (perImage.Size != model.InputShape.Size)
            throw new ArgumentException($"Model '{model.Name}' takes inputs of shape {model.InputShape} per sample, but the images are {perImage}.");
        return images.Reshape(model.InputShape.WithBatch(images.Shape[0]));
    }

    /// <summary>
    /// The samples of <paramref name="path"/> as the model's inputs: an IDX file ([n, h, w] or one [h, w] image, bytes
    /// 0..255, raw or gzip), one PNG, JPEG, BMP or GIF image (decoded by Skia, as grey or RGB to suit the model), or a
    /// CSV table of features (<paramref name="skipColumn"/>, a label column, left out). The kind is recognised by the
    /// file's first bytes (a CSV by its name), and an image's size in its header is checked against what
    /// <paramref name="model"/> takes before any data is read or decompressed (a 4096×4096 PNG given to a 28×28 model is
    /// refused from its header); the data is checked against <paramref name="budget"/>.
    /// </summary>
    public static Tensor ReadInputs(string path, string? skipColumn, Model model, MemoryBudget budget)
    {
        if (Directory.Exists(path))
            throw new ArgumentException($"'{path}' is a directory; --input takes one IDX file, one image or one CSV file.");
        if (DataSource.IsCsv(path))
        {
            var (features, _) = CsvDataset.LoadFeatures(path, skipColumn, budget: budget);
            return ToModelInput(features, model);
        }
        byte[] start = new byte[8];
        using (var file = File.OpenRead(path)) file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        if (ImageFile.IsImage(start)) return ReadImage(path, model, budget);
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
        return ToModelInput(idx.Shape.Rank == 3 ? idx : idx.Reshape(idx.Shape.WithBatch(1)), model);
    }

    /// <summary>One image, grey unless the model takes three channels, of exactly the model's height and width.</summary>
    private static Tensor ReadImage(string path, Model model, MemoryBudget budget)
    {
        var input = model.InputShape;
        if (input.Rank is not (2 or 3) || (input.Rank == 3 && input[2] is not (1 or 3)))
            throw new ArgumentException($"'{path}' is an image, but model '{model.Name}' takes inputs of shape {input}, not (height, width) or (height, width, 1 or 3).");
        var size = ImageFile.ReadSize(path);
        if (size.Height != input[0] || size.Width != input[1])
        {
            throw new ArgumentException($"'{path}' is a {size.Width}×{size.Height} image, but model '{model.Name}' takes {input[1]}×{input[0]} images " +
                $"(inputs of shape {input}); resize it first.");
        }
        var colorMode = input.Rank == 3 && input[2] == 3 ? ColorMode.Rgb : ColorMode.Grayscale;
        return ToModelInput(ImageFile.Read(path, size, colorMode, budget: budget), model);
    }

    /// <summary>Refuses images of another size than the model's input, from the header alone.</summary>
    private static void RequireImageSize(string path, string what, long pixels, Model model)
    {
        if (pixels != model.InputShape.Size)
            throw new ArgumentException($"'{path}' holds {what} ({pixels} pixels), but model '{model.Name}' takes inputs of shape {model.InputShape} ({model.InputShape.Size} values) per sample.");
    }
}
