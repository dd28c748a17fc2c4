namespace Strata.Data;

/// <summary>
/// Loads Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 60 000 training and 10 000 test greyscale images of
/// 28×28 pixels in ten clothing classes, stored as four IDX files, each raw or gzip-compressed.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Image height and width in pixels.</summary>
    public const int ImageSize = 28;

    /// <summary>Class names, indexed by label.</summary>
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly string[] FileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>
    /// Reads the training and test sets from <paramref name="directory"/> (default <see cref="DefaultDirectory"/>).
    /// Images are [N, 28, 28] scaled from 0..255 to [0, 1]; labels are [N] class indices 0..9 as floats.
    /// </summary>
    /// <param name="directory">The folder of the four files.</param>
    /// <param name="budget">The most the four files' values may take as floats, together; <see cref="MemoryBudget.Default"/> when null.</param>
    /// <exception cref="FileNotFoundException">The directory or one of the four files is missing; the message says how to get them.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or does not hold Fashion-MNIST-shaped data.</exception>
    /// <exception cref="MemoryBudgetExceededException">The files' headers declare more than <paramref name="budget"/> holds.</exception>
    public static (Dataset Train, Dataset Test) Load(string? directory = null, MemoryBudget? budget = null)
    {
        var paths = LocateFiles(directory, 0, 1, 2, 3);
        budget ??= MemoryBudget.Default;
        RequireBudget(paths, budget);
        var train = LoadPair(paths[0], paths[1], budget);
        var test = LoadPair(paths[2], paths[3], budget);
        return (train, test);
    }

    /// <summary>
    /// Reads only the test set (the two t10k files) from <paramref name="directory"/>: scoring a model needs neither
    /// the 60 000 training images nor their files.
    /// </summary>
    /// <param name="directory">The folder of the test files.</param>
    /// <param name="budget">The most the two files' values may take as floats, together; <see cref="MemoryBudget.Default"/> when null.</param>
    /// <exception cref="FileNotFoundException">The directory or one of the two test files is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or does not hold Fashion-MNIST-shaped data.</exception>
    /// <exception cref="MemoryBudgetExceededException">The files' headers declare more than <paramref name="budget"/> holds.</exception>
    public static Dataset LoadTest(string? directory = null, MemoryBudget? budget = null)
    {
        var paths = LocateFiles(directory, 2, 3);
        budget ??= MemoryBudget.Default;
        RequireBudget(paths, budget);
        return LoadPair(paths[0], paths[1], budget);
    }

    /// <summary>The paths of the files <paramref name="which"/> (indices into the four names), or an error naming every missing one.</summary>
    private static string[] LocateFiles(string? directory, params int[] which)
    {
        string dir = directory ?? DefaultDirectory;
        if (!Directory.Exists(dir))
            throw new FileNotFoundException($"The Fashion-MNIST directory '{dir}' does not exist. {HowToFix}", dir);

        var paths = new string[which.Length];
        var missing = new List<string>();
        for (int i = 0; i < which.Length; i++)
        {
            string? found = Locate(dir, FileNames[which[i]]);
            if (found is null) missing.Add(FileNames[which[i]]);
            else paths[i] = found;
        }
        if (missing.Count > 0)
        {
            throw new FileNotFoundException(
                $"The Fashion-MNIST directory '{dir}' lacks {string.Join(", ", missing)} (raw or .gz). {HowToFix}",
                Path.Combine(dir, missing[0]));
        }
        return paths;
    }

    /// <summary>
    /// Checks the files' declared values, as floats and all together, against <paramref name="budget"/> from their headers
    /// alone: every file would be read and kept, so each may be within the budget while their sum is not.
    /// </summary>
    private static void RequireBudget(string[] paths, MemoryBudget budget)
    {
        var shapes = paths.Select(Idx.ReadShape).ToArray();
        long bytes = shapes.Sum(s => (long)s.Size * sizeof(float));
        budget.Require(bytes, "Fashion-MNIST's " + string.Join(", ", paths.Zip(shapes, (p, s) => $"'{p}' {s}")));
    }

    private static string HowToFix =>
        "Install the dataset with `apt-get install dataset-fashion-mnist` (the Debian package puts it in " +
        $"{DefaultDirectory}), or pass the directory holding {string.Join(", ", FileNames)} (each raw or .gz) " +
        "— `--data DIR` on the command line.";

    /// <summary>The compressed file if present (as the Debian package ships it), else the raw one, else null.</summary>
    private static string? Locate(string directory, string name)
    {
        string gz = Path.Combine(directory, name + ".gz");
        if (File.Exists(gz)) return gz;
        string raw = Path.Combine(directory, name);
        return File.Exists(raw) ? raw : null;
    }

    private static Dataset LoadPair(string imagesPath, string labelsPath, MemoryBudget budget)
    {
        var shape = Idx.ReadShape(imagesPath);
        if (shape.Rank != 3 || shape[1] != ImageSize || shape[2] != ImageSize)
            throw new InvalidDataException($"'{imagesPath}' holds shape {shape}; Fashion-MNIST images are (N, {ImageSize}, {ImageSize}).");
        return IdxDataset.Load(imagesPath, labelsPath, budget, maxClasses: ClassNames.Length) with { ClassNames = ClassNames };
    }
}
