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
