namespace Strata.Data.Files;

/// <summary>
/// What <see cref="CsvDataset.Load(string, string, CsvOptions?, Strata.Data.MemoryBudget?)"/> read: the examples
/// (features [n, f], labels [n] class indices or [n, 1] numbers; class names in <see cref="Dataset.ClassNames"/>),
/// with the names of the columns they came from, so a caller can show or check which feature is which.
/// </summary>
/// <param name="Dataset">Features as <see cref="Dataset.Images"/> [n, f] and labels as <see cref="Dataset.Labels"/>.</param>
/// <param name="FeatureNames">The feature columns' names in file order (without the label column).</param>
/// <param name="LabelName">The label column's name.</param>
/// <param name="LabelKind">How the labels were read: <see cref="Files.LabelKind.Classes"/> or <see cref="Files.LabelKind.Numbers"/>, never Auto.</param>
public sealed record CsvData(Dataset Dataset, IReadOnlyList<string> FeatureNames, string LabelName, LabelKind LabelKind);
