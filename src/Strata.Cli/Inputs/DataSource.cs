using System.Globalization;
using Strata.Data;
using Strata.Data.Files;
using Strata.Layers;

namespace Strata.Cli.Inputs;

/// <summary>What <c>--data</c> (and <c>--test</c>) may name, and how it is read.</summary>
/// <param name="Label">The label column of a CSV file.</param>
/// <param name="ImageSize">The size image-folder images are resized to; null: the first image's size.</param>
/// <param name="ColorMode">Grey or RGB for image folders.</param>
/// <param name="Budget">The memory budget of every read.</param>
internal sealed record DataOptions(string? Label, Size2D? ImageSize, ColorMode ColorMode, MemoryBudget Budget);

/// <summary>A dataset read for a command, with where it came from in words.</summary>
/// <param name="Data">Inputs and targets; class names when the targets are named classes.</param>
/// <param name="Test">The source's own test set (an IDX test pair, an image folder's test/ folder), if it has one.</param>
/// <param name="Kind">Which kind of source it was.</param>
/// <param name="Regression">True when the targets are numbers rather than classes (a CSV's numeric label column).</param>
internal sealed record SourceData(Dataset Data, Dataset? Test, SourceKind Kind, bool Regression)
{
    /// <summary>Classes of a classification dataset: its names, else the largest label + 1.</summary>
    public int Classes => Data.ClassNames?.Count ?? (Data.Labels.Length == 0 ? 0 : (int)System.Numerics.Tensors.TensorPrimitives.Max<float>(Data.Labels.Span) + 1);
}

/// <summary>
/// Reads the data a command is given, by what the path is: a CSV file (a table with a <c>--label</c> column), a folder
/// of IDX files (Fashion-MNIST, MNIST or any image/label pair named with train and test), or an image folder (one
/// sub-folder of PNG or JPEG files per class, as Keras's <c>image_dataset_from_directory</c>; with <c>train/</c> and
/// <c>test/</c> inside, both are read).
/// </summary>
internal static class DataSource
{
    /// <summary>Reads <paramref name="path"/> for training: its training set and, where the source has one, its test set.</summary>
    public static SourceData Load(string path, DataOptions options)
    {
        if (File.Exists(path))
        {
            if (!IsCsv(path))
                throw new ArgumentException($"--data {path} is a file but not a CSV table; --data takes a CSV file, a folder of IDX files or an image folder.");
            return ReadCsv(path, options);
        }
        if (!Directory.Exists(path))
            throw new FileNotFoundException($"--data {path} does not exist. {HowToGetFashionMnist}", path);
        if (IdxDataset.IsIdxFolder(path))
        {
            if (IsFashionMnist(path))
            {
                var (train, test) = FashionMnist.Load(path, options.Budget);
                return new SourceData(train, test, SourceKind.FashionMnist, Regression: false);
            }
            var (data, idxTest) = IdxDataset.LoadFolder(path, options.Budget);
            return new SourceData(data, idxTest, SourceKind.Idx, Regression: false);
        }
        string train_ = Path.Combine(path, "train"), test_ = Path.Combine(path, "test");
        if (Directory.Exists(train_) && Directory.Exists(test_))
        {
            var size = options.ImageSize ?? FirstImageSize(train_);
            var (train, _) = ImageFolder.Load(train_, size, options.ColorMode, seed: 0, shuffle: false, budget: options.Budget);
            var (test, _) = ImageFolder.Load(test_, size, options.ColorMode, seed: 0, shuffle: false, budget: options.Budget);
            return new SourceData(train, Relabel(test, train.ClassNames!, test_), SourceKind.ImageFolder, Regression: false);
        }
        if (Directory.EnumerateDirectories(path).Any())
        {
            var (images, _) = ImageFolder.Load(path, options.ImageSize ?? FirstImageSize(path), options.ColorMode, seed: 0, shuffle: false, budget: options.Budget);
            return new SourceData(images, null, SourceKind.ImageFolder, Regression: false);
        }
        throw new FileNotFoundException($"--data {path} is a folder with neither IDX files (train-images…, train-labels…) nor class sub-folders of images. {HowToGetFashionMnist}", path);
    }

    /// <summary>
    /// The data to score <paramref name="model"/> on from <paramref name="path"/>: a source's test set where it has
    /// one (read alone, without its training files), else all of it; labels renumbered to the model's class names.
    /// </summary>
    public static SourceData LoadForEvaluation(string path, DataOptions options, Model model)
    {
        SourceData source;
        if (Directory.Exists(path) && IdxDataset.IsIdxFolder(path))
        {
            var test = IsFashionMnist(path) ? FashionMnist.LoadTest(path, options.Budget) : IdxDataset.LoadTest(path, options.Budget);
            source = new SourceData(test, null, IsFashionMnist(path) ? SourceKind.FashionMnist : SourceKind.Idx, Regression: false);
        }
        else
        {
            string folder = Directory.Exists(Path.Combine(path, "test")) ? Path.Combine(path, "test") : path;
            source = File.Exists(path) ? Load(path, options) : Load(folder, ShapedFor(options, model));
            if (source.Test is not null && !File.Exists(path)) source = source with { Data = source.Test, Test = null };
        }
        return RelabelledFor(source, model, path);
    }

    /// <summary>
    /// The training data at <paramref name="path"/> as <paramref name="model"/> takes it: image folders read at the model's
    /// input size and colours, labels (of the data and of its test set) renumbered to the model's class names.
    /// </summary>
    public static SourceData LoadForModel(string path, DataOptions options, Model model)
    {
        var source = RelabelledFor(Load(path, File.Exists(path) ? options : ShapedFor(options, model)), model, path);
        return source.Test is { ClassNames: not null } test && model.ClassNames is { } names ? source with { Test = Relabel(test, names, path) } : source;
    }

    /// <summary>Image-folder images at the model's input size (unless --image-size says otherwise) and colours.</summary>
    private static DataOptions ShapedFor(DataOptions options, Model model)
    {
        var imageSize = options.ImageSize ?? (model.InputShape.Rank is 2 or 3 ? new Size2D(model.InputShape[0], model.InputShape[1]) : (Size2D?)null);
        var colorMode = model.InputShape is { Rank: 3 } s && s[2] == 3 ? ColorMode.Rgb : ColorMode.Grayscale;
        return options with { ImageSize = imageSize, ColorMode = colorMode };
    }

    private static SourceData RelabelledFor(SourceData source, Model model, string path) =>
        model.ClassNames is { } names && source.Data.ClassNames is not null
            ? source with { Data = Relabel(source.Data, names, path) }
            : source;

    /// <summary>
    /// <paramref name="data"/>'s labels renumbered from its own class names to <paramref name="names"/> (a model's, or a
    /// training set's): a folder or table that lacks a class, or orders them otherwise, still scores against the right
    /// outputs. A class the names do not hold is refused.
    /// </summary>
    public static Dataset Relabel(Dataset data, IReadOnlyList<string> names, string source)
    {
        if (data.ClassNames is not { } own || own.SequenceEqual(names)) return data;
        var map = new int[own.Count];
        for (int i = 0; i < own.Count; i++)
        {
            map[i] = names.ToList().IndexOf(own[i]);
            if (map[i] < 0)
                throw new ArgumentException($"{source} holds class '{own[i]}', which the model does not know; its classes are {string.Join(", ", names)}.");
        }
        var labels = new Tensor(data.Labels.Shape, data.Labels.Span.ToArray());
        var span = labels.Span;
        for (int i = 0; i < span.Length; i++) span[i] = map[(int)span[i]];
        return new Dataset(data.Images, labels) { ClassNames = names };
    }

    /// <summary>The saved model's class names, else Fashion-MNIST's for a ten-class model saved before models kept names.</summary>
    public static IReadOnlyList<string>? ClassNamesOf(Model model) =>
        model.ClassNames ?? (model.OutputShape is { Rank: 1 } o && o[0] == FashionMnist.ClassNames.Length ? FashionMnist.ClassNames : null);

    public static bool IsCsv(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".csv" or ".tsv" or ".txt";

    /// <summary>A folder of Fashion-MNIST, which MNIST's file names cannot tell apart: by its name, as the Debian package installs it.</summary>
    private static bool IsFashionMnist(string path) =>
        Path.GetFullPath(path).Contains("fashion", StringComparison.OrdinalIgnoreCase);

    private static SourceData ReadCsv(string path, DataOptions options)
    {
        if (options.Label is null)
            throw new ArgumentException($"--data {path} is a CSV table: name its label column with --label COLUMN.");
        var csv = CsvDataset.Load(path, options.Label, budget: options.Budget);
        return new SourceData(csv.Dataset, null, SourceKind.Csv, csv.LabelKind == LabelKind.Numbers);
    }

    /// <summary>The size of the first image of an image folder (its first class, first file), which the others are resized to.</summary>
    private static Size2D FirstImageSize(string folder)
    {
        foreach (string classFolder in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
            foreach (string file in Directory.EnumerateFiles(classFolder).Order(StringComparer.Ordinal))
                if (Path.GetExtension(file).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".bmp" or ".gif")
                    return ImageFile.ReadSize(file);
        throw new FileNotFoundException($"The image folder '{folder}' holds no images in its class sub-folders.", folder);
    }

    private static string HowToGetFashionMnist =>
        string.Create(CultureInfo.InvariantCulture,
            $"Fashion-MNIST comes with `apt-get install dataset-fashion-mnist` (in {FashionMnist.DefaultDirectory}); or pass --data PATH: a folder of IDX files, a CSV file or an image folder.");
}
