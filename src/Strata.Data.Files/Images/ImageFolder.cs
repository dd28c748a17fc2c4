using Strata.Layers;

namespace Strata.Data.Files;

/// <summary>
/// Reads a folder of images, one sub-folder per class, as Keras's <c>image_dataset_from_directory</c> does:
/// <code>
/// photos/
///   cat/  a.jpg  b.png  …
///   dog/  c.jpg  …
/// </code>
/// gives class names ["cat", "dog"] (sorted folder names) and labels 0 and 1. Which files are read, and in which
/// order, is Keras's (see <see cref="ImageFolderIndex"/>); each is decoded by content with Skia (PNG, JPEG, BMP, GIF's
/// first frame), converted to grey or RGB, and resized bilinearly as Keras resizes.
/// </summary>
public static class ImageFolder
{
    /// <summary>Keras's default <c>image_size</c>, (256, 256).</summary>
    public static readonly Size2D DefaultImageSize = new(256, 256);

    /// <summary>
    /// Reads <paramref name="directory"/> into a training set and, when <paramref name="validationSplit"/> is above
    /// zero, a validation set: images [n, height, width, channels] (channels last), labels [n] class indices, class
    /// names in <see cref="Dataset.ClassNames"/> of both.
    /// </summary>
    /// <param name="directory">The folder holding one folder per class.</param>
    /// <param name="imageSize">(height, width) every image is resized to; <see cref="DefaultImageSize"/> when null, as Keras.</param>
    /// <param name="colorMode">Grey (1 channel) or RGB (3, the default as in Keras).</param>
    /// <param name="validationSplit">
    /// The fraction held out for validation, in [0, 1): as Keras, int(split × n) images from the end of the shuffled
    /// order (the split read as the decimal written, 0.7f as 0.7), the rest for training. The validation set may not be empty.
    /// </param>
    /// <param name="seed">Seeds the shuffle, so the order and the split are the same on every run; random when null.</param>
    /// <param name="shuffle">Shuffle the files before splitting (default true, as Keras); false keeps the sorted order.</param>
    /// <param name="rescale">
    /// Multiplies each 0–255 pixel value. The default, 1/255, gives values in [0, 1] as <see cref="FashionMnist.Load"/>
    /// does, so a model trained on either reads the other; 1 gives Keras's raw 0–255 values.
    /// </param>
    /// <param name="budget">The most memory the dataset and one decoded image may take together (<see cref="MemoryBudget.Default"/> when null).</param>
    /// <returns>The training set, and the validation set (null when <paramref name="validationSplit"/> is 0).</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No image is found, or a file is not an image Keras reads, or is corrupt; the message names it.</exception>
    /// <exception cref="MemoryBudgetExceededException">The dataset, or an image's declared size beside it, exceeds the budget.</exception>
    public static (Dataset Train, Dataset? Validation) Load(string directory, Size2D? imageSize = null,
        ColorMode colorMode = ColorMode.Rgb, float validationSplit = 0f, int? seed = null, bool shuffle = true,
        float rescale = 1f / 255, MemoryBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Size2D size = imageSize ?? DefaultImageSize;
        if (size.Height <= 0 || size.Width <= 0)
            throw new ArgumentOutOfRangeException(nameof(imageSize), size, "The image size must be positive on both axes.");
        if (!(validationSplit >= 0f && validationSplit < 1f))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "The validation split must be in [0, 1).");
        if (!float.IsFinite(rescale))
            throw new ArgumentOutOfRangeException(nameof(rescale), rescale, "The rescale factor must be a finite number.");
        if (colorMode is not (ColorMode.Grayscale or ColorMode.Rgb))
            throw new ArgumentOutOfRangeException(nameof(colorMode), colorMode, "Unknown color mode.");
        budget ??= MemoryBudget.Default;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The image folder '{directory}' does not exist.");

        var (classNames, files) = ImageFolderIndex.List(directory);
        if (files.Count == 0)
        {
            throw new InvalidDataException($"'{directory}' holds no images: it needs one sub-folder per class, holding files ending in " +
                $"{string.Join(", ", ImageFolderIndex.Extensions)} ({classNames.Length} sub-folders found).");
        }

        int[] order = Enumerable.Range(0, files.Count).ToArray();
        if (shuffle) (seed is int s ? new Random(s) : new Random()).Shuffle(order);
        int validationCount = (int)((double)(decimal)validationSplit * files.Count);
        int trainCount = files.Count - validationCount; // never 0: the split is below 1
        if (validationSplit > 0 && validationCount == 0)
            throw new ArgumentException($"A validation split of {validationSplit} of {files.Count} images leaves the validation set empty.", nameof(validationSplit));

        var reader = new ImageReader(size, colorMode, rescale, budget, Reserve(files.Count, size, colorMode, directory, budget));
        Dataset train = Read(files, order.AsSpan(0, trainCount), reader, size, classNames);
        Dataset? validation = validationSplit > 0 ? Read(files, order.AsSpan(trainCount), reader, size, classNames) : null;
        return (train, validation);
    }

    /// <summary>Checks the whole dataset, images and labels, against the budget before anything is allocated; returns its bytes.</summary>
    private static long Reserve(int count, Size2D size, ColorMode colorMode, string directory, MemoryBudget budget)
    {
        int channels = colorMode == ColorMode.Grayscale ? 1 : 3;
        long values = (long)count * size.Height * size.Width * channels;
        long bytes = (values + count) * sizeof(float);
        budget.Require(bytes, $"The images of '{directory}' ({count} × {size.Height}×{size.Width}×{channels} values)");
        if (values > Shape.MaxSize)
            throw new ArgumentException($"{count} images of {size.Height}×{size.Width}×{channels} values are more than one tensor can hold.", nameof(size));
        return bytes;
    }

    private static Dataset Read(List<(string Path, int Label)> files, ReadOnlySpan<int> rows, ImageReader reader, Size2D size, string[] classNames)
    {
        int perImage = size.Height * size.Width * reader.Channels;
        var images = new Tensor(new Shape(rows.Length, size.Height, size.Width, reader.Channels));
        var labels = new Tensor(new Shape(rows.Length));
        for (int i = 0; i < rows.Length; i++)
        {
            var (path, label) = files[rows[i]];
            reader.Read(path, images.Span.Slice(i * perImage, perImage));
            labels[i] = label;
        }
        return new Dataset(images, labels) { ClassNames = classNames };
    }
}
