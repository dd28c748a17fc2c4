using System.Numerics.Tensors;

namespace Strata.Data;

/// <summary>
/// Any image/label pair of IDX files as a dataset (MNIST, Fashion-MNIST, KMNIST, EMNIST, or a user's own): images
/// [n, height, width] or [n, height, width, channels] of bytes 0..255, scaled to [0, 1]; labels [n] of whole class
/// indices. A folder is searched for the pair by name, as those datasets name their files: <c>train</c> with
/// <c>images</c> and with <c>labels</c>, and likewise <c>t10k</c> or <c>test</c> (raw or .gz).
/// </summary>
public static class IdxDataset
{
    /// <summary>The most classes a label file may index.</summary>
    public const int MaxClasses = 1 << 16;

    /// <summary>Reads the images and labels of one pair of files, checked against each other and the budget.</summary>
    /// <param name="imagesPath">Images, (n, height, width) or (n, height, width, channels), values 0..255.</param>
    /// <param name="labelsPath">Labels, (n,), whole numbers 0 … <paramref name="maxClasses"/> − 1.</param>
    /// <param name="budget">The most both files' values may take as floats, together; <see cref="MemoryBudget.Default"/> when null.</param>
    /// <param name="maxClasses">Labels at or above it are refused.</param>
    public static Dataset Load(string imagesPath, string labelsPath, MemoryBudget? budget = null, int maxClasses = MaxClasses)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        budget ??= MemoryBudget.Default;
        Shape imagesShape = Idx.ReadShape(imagesPath), labelsShape = Idx.ReadShape(labelsPath);
        budget.Require(((long)imagesShape.Size + labelsShape.Size) * sizeof(float), $"'{imagesPath}' {imagesShape} and '{labelsPath}' {labelsShape}");
        if (imagesShape.Rank is not (3 or 4))
            throw new InvalidDataException($"'{imagesPath}' holds shape {imagesShape}; images are (N, height, width) or (N, height, width, channels).");
        if (labelsShape.Rank != 1)
            throw new InvalidDataException($"'{labelsPath}' holds shape {labelsShape}; labels are (N,).");
        if (labelsShape[0] != imagesShape[0])
            throw new InvalidDataException($"'{imagesPath}' holds {imagesShape[0]} images but '{labelsPath}' holds {labelsShape[0]} labels.");

        Tensor images = Idx.Read(imagesPath, budget);
        Span<float> pixels = images.Span;
        // Pixels are unsigned bytes; anything else means the file is not the image file it is named for.
        if (pixels.Length > 0 && !(TensorPrimitives.Min<float>(pixels) >= 0f && TensorPrimitives.Max<float>(pixels) <= 255f))
        {
            int at = 0;
            while (pixels[at] >= 0f && pixels[at] <= 255f) at++;
            throw new InvalidDataException($"'{imagesPath}' holds pixel {pixels[at]} at index {at}; image pixels are 0..255.");
        }
        TensorPrimitives.Divide(pixels, 255f, pixels);

        Tensor labels = Idx.Read(labelsPath, budget);
        Span<float> classes = labels.Span;
        for (int i = 0; i < classes.Length; i++)
        {
            float c = classes[i];
            if (!(c >= 0f && c < maxClasses && c == MathF.Floor(c)))
                throw new InvalidDataException($"'{labelsPath}' holds label {c} at index {i}; labels are whole numbers 0..{maxClasses - 1}.");
        }
        return new Dataset(images, labels);
    }

    /// <summary>
    /// The training pair of <paramref name="directory"/> and, when present, the test pair, found by name. Each file
    /// is raw or gzip; anything else in the folder is ignored.
    /// </summary>
    /// <exception cref="FileNotFoundException">No training pair, or half of a pair; the message lists what the folder holds.</exception>
    public static (Dataset Train, Dataset? Test) LoadFolder(string directory, MemoryBudget? budget = null)
    {
        var pairs = FindPairs(directory);
        budget ??= MemoryBudget.Default;
        var train = Load(pairs.TrainImages!, pairs.TrainLabels!, budget);
        var test = pairs.TestImages is null ? null : Load(pairs.TestImages, pairs.TestLabels!, budget);
        return (train, test);
    }

    /// <summary>True when <paramref name="directory"/> holds IDX image files (training or test), named as <see cref="LoadFolder"/> finds them.</summary>
    public static bool IsIdxFolder(string directory) =>
        Directory.Exists(directory) && Directory.EnumerateFiles(directory).Any(f => Role(f) is (_, "images"));

    /// <summary>The test pair of <paramref name="directory"/>, for scoring a model without reading its training files.</summary>
    public static Dataset LoadTest(string directory, MemoryBudget? budget = null)
    {
        var pairs = FindPairs(directory, needTraining: false);
        if (pairs.TestImages is null)
            throw new FileNotFoundException($"'{directory}' holds no test pair of IDX files (names with 'test' or 't10k' and 'images' or 'labels').", directory);
        return Load(pairs.TestImages, pairs.TestLabels!, budget);
    }

    private sealed record Pairs(string? TrainImages, string? TrainLabels, string? TestImages, string? TestLabels);

    private static Pairs FindPairs(string directory, bool needTraining = true)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"The folder '{directory}' does not exist.");
        var files = Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal).ToArray();
        string? Single(string set, string kind)
        {
            // A .gz beside its raw file is the same data: the compressed one is taken, as the Debian package ships it.
            var found = files.Where(f => Role(f) == (set, kind)).ToArray();
            var distinct = found.Where(f => !(f.EndsWith(".gz", StringComparison.Ordinal) is false && found.Contains(f + ".gz"))).ToArray();
            return distinct.Length switch
            {
                0 => null,
                1 => distinct[0],
                _ => throw new InvalidDataException($"'{directory}' holds several {set} {kind} files ({string.Join(", ", distinct.Select(Path.GetFileName))}); keep one."),
            };
        }
        string? trainImages = Single("train", "images"), trainLabels = Single("train", "labels");
        string? testImages = Single("test", "images"), testLabels = Single("test", "labels");
        if (needTraining && (trainImages is null || trainLabels is null))
        {
            throw new FileNotFoundException($"'{directory}' holds no training pair of IDX files: it needs files named with 'train' and 'images', " +
                $"and 'train' and 'labels' (as train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz); it holds {Listing(files)}.", directory);
        }
        if ((testImages is null) != (testLabels is null))
            throw new FileNotFoundException($"'{directory}' holds half of a test pair ({Path.GetFileName(testImages ?? testLabels)}); add its {(testImages is null ? "images" : "labels")} or remove it.", directory);
        return new Pairs(trainImages, trainLabels, testImages, testLabels);
    }

    /// <summary>("train" or "test", "images" or "labels") from a file's name, or empty strings.</summary>
    private static (string Set, string Kind) Role(string path)
    {
        string name = Path.GetFileName(path).ToLowerInvariant();
        string set = name.Contains("train", StringComparison.Ordinal) ? "train"
            : name.Contains("t10k", StringComparison.Ordinal) || name.Contains("test", StringComparison.Ordinal) ? "test" : "";
        string kind = name.Contains("image", StringComparison.Ordinal) ? "images" : name.Contains("label", StringComparison.Ordinal) ? "labels" : "";
        return set.Length > 0 && kind.Length > 0 ? (set, kind) : ("", "");
    }

    private static string Listing(string[] files) =>
        files.Length == 0 ? "no files" : string.Join(", ", files.Take(10).Select(Path.GetFileName)) + (files.Length > 10 ? ", …" : "");
}
