namespace Strata.Data;

/// <summary>
/// Examples and their labels, row for row: <see cref="Images"/> is [N, ...] and <see cref="Labels"/> is [N, ...]
/// with the same N. The properties are get-only so that a <c>with</c> expression cannot bypass the check.
/// </summary>
public sealed record Dataset(Tensor Images, Tensor Labels)
{
    /// <summary>The inputs, one row per example.</summary>
    public Tensor Images { get; } = Images ?? throw new ArgumentNullException(nameof(Images));

    /// <summary>The targets, one row per example (class indices as floats for classification).</summary>
    public Tensor Labels { get; } = Labels ?? throw new ArgumentNullException(nameof(Labels));

    /// <summary>Number of examples (the shared leading dimension).</summary>
    public int Count { get; } = LeadingDimension(Images, Labels);

    /// <summary>
    /// The name of each class, indexed by label, when the labels are classes that have names (a CSV file's label
    /// column, an image folder's sub-folders); null otherwise. Kept beside the labels so that predictions can be shown
    /// as names rather than indices. Set with an initialiser: <c>new Dataset(x, y) { ClassNames = ["cat", "dog"] }</c>;
    /// the list is copied, so changing the caller's array later does not change the dataset.
    /// </summary>
    public IReadOnlyList<string>? ClassNames
    {
        get => _classNames;
        init => _classNames = value is null ? null : CopyNames(value);
    }

    private readonly IReadOnlyList<string>? _classNames;

    /// <summary>
    /// Copies the first <paramref name="firstCount"/> rows into one dataset and the rest into another, in order
    /// and without shuffling (shuffle first if the rows are sorted), e.g. to hold out a validation set. Both keep
    /// the <see cref="ClassNames"/>.
    /// </summary>
    public (Dataset First, Dataset Second) Split(int firstCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstCount, Count);
        int secondCount = Count - firstCount;
        var first = new Dataset(CopyRows(Images, 0, firstCount), CopyRows(Labels, 0, firstCount)) { ClassNames = ClassNames };
        var second = new Dataset(CopyRows(Images, firstCount, secondCount), CopyRows(Labels, firstCount, secondCount)) { ClassNames = ClassNames };
        return (first, second);
    }

    /// <summary>A copy with the rows in a seeded random order (the same permutation for images and labels).</summary>
    public Dataset Shuffled(int seed)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        return new Dataset(Gather(Images, order), Gather(Labels, order)) { ClassNames = ClassNames };
    }

    /// <summary>
    /// The examples of the classes <paramref name="classes"/> (labels [N] of class indices), in their order here,
    /// relabelled 0 … k − 1 in the order the classes are given: <c>OfClasses(5, 6)</c> of Fashion-MNIST is a binary
    /// sandal (0) or shirt (1) task. The <see cref="ClassNames"/>, when known, follow.
    /// </summary>
    /// <exception cref="ArgumentException">No class, a class given twice or not whole and non-negative, or labels that are not [N].</exception>
    public Dataset OfClasses(params int[] classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Length == 0) throw new ArgumentException("OfClasses needs at least one class.", nameof(classes));
        if (Labels.Shape.Rank != 1) throw new ArgumentException($"OfClasses takes labels [N] of class indices; these are {Labels.Shape}.", nameof(classes));
        var index = new Dictionary<int, int>();
        for (int c = 0; c < classes.Length; c++)
        {
            if (classes[c] < 0 || !index.TryAdd(classes[c], c))
                throw new ArgumentException($"OfClasses: class {classes[c]} is {(classes[c] < 0 ? "negative" : "given twice")}.", nameof(classes));
        }
        var rows = new List<int>();
        var labels = new List<float>();
        for (int i = 0; i < Count; i++)
        {
            if (!index.TryGetValue((int)Labels[i], out int label) || Labels[i] != (int)Labels[i]) continue;
            rows.Add(i);
            labels.Add(label);
        }
        IReadOnlyList<string>? names = ClassNames is { } all ? [.. classes.Select(c => c < all.Count ? all[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture))] : null;
        return new Dataset(Gather(Images, [.. rows]), new Tensor(new Shape(rows.Count), [.. labels])) { ClassNames = names };
    }

    /// <summary>
    /// The dataset in mini-batches for a custom training loop: <c>foreach (var (x, y) in data.Batches(32, shuffle: true, seed: epoch))</c>.
    /// Each batch is a fresh pair of tensors of <paramref name="batchSize"/> rows (the last may be smaller unless
    /// <paramref name="dropLast"/>); with <paramref name="shuffle"/> the order is a seeded permutation, the one
    /// <see cref="Random.Shuffle{T}(T[])"/> gives for that seed.
    /// </summary>
    public IEnumerable<(Tensor X, Tensor Y)> Batches(int batchSize, bool shuffle = false, int seed = 0, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var order = Enumerable.Range(0, Count).ToArray();
        if (shuffle) new Random(seed).Shuffle(order);
        return Batched(order, batchSize, dropLast);
    }

    private IEnumerable<(Tensor X, Tensor Y)> Batched(int[] order, int batchSize, bool dropLast)
    {
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int count = Math.Min(batchSize, order.Length - start);
            if (dropLast && count < batchSize) yield break;
            var rows = order.AsSpan(start, count).ToArray();
            yield return (Gather(Images, rows), Gather(Labels, rows));
        }
    }

    /// <summary>Rows <paramref name="rows"/> of <paramref name="source"/>, in that order.</summary>
    private static Tensor Gather(Tensor source, int[] rows)
    {
        var dims = source.Shape.Dims.ToArray();
        int rowSize = source.Shape[0] == 0 ? 0 : source.Length / source.Shape[0];
        dims[0] = rows.Length;
        var result = new Tensor(new Shape(dims));
        for (int i = 0; i < rows.Length; i++) source.Rows(rows[i], 1).CopyTo(result.Span.Slice(i * rowSize, rowSize));
        return result;
    }

    private static IReadOnlyList<string> CopyNames(IReadOnlyList<string> names)
    {
        var copy = names.ToArray();
        if (Array.IndexOf(copy, null) is int at and >= 0)
            throw new ArgumentException($"Class name {at} is null; every class needs a name.", nameof(ClassNames));
        return Array.AsReadOnly(copy);
    }

    private static Tensor CopyRows(Tensor source, int start, int count)
    {
        var dims = source.Shape.Dims.ToArray();
        dims[0] = count;
        return new Tensor(new Shape(dims), source.Rows(start, count).ToArray());
    }

    // Initialisers run in textual order, so Images and Labels have already rejected nulls when this runs.
    private static int LeadingDimension(Tensor images, Tensor labels)
    {
        if (images.Shape.Rank == 0 || labels.Shape.Rank == 0)
            throw new ArgumentException($"Images {images.Shape} and labels {labels.Shape} both need a leading example dimension; a scalar has none.");
        if (images.Shape[0] != labels.Shape[0])
            throw new ArgumentException($"Images {images.Shape} and labels {labels.Shape} must have the same number of rows (leading dimension).");
        return images.Shape[0];
    }
}
