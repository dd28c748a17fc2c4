namespace Strata.Data.Files;

/// <summary>How <see cref="CsvDataset"/> reads the label column.</summary>
public enum LabelKind
{
    /// <summary>
    /// <see cref="Classes"/> when any label is not a number (<c>setosa</c>), else <see cref="Numbers"/>. A column of
    /// integer class codes (0, 1, 2) therefore reads as numbers: ask for <see cref="Classes"/> to classify by them.
    /// </summary>
    Auto,

    /// <summary>
    /// Class names, mapped to indices 0..k−1 in sorted order of the names (ordinal, as Python's <c>sorted</c>; by
    /// value when every name is a number, so codes 0..k−1 keep their values). Labels are [n] indices for the sparse
    /// cross-entropy, and the names are kept in <see cref="Dataset.ClassNames"/>.
    /// </summary>
    Classes,

    /// <summary>Numeric targets for regression, [n, 1] as a <c>Dense(1)</c> output and the mean squared error take them.</summary>
    Numbers,
}
