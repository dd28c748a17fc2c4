using System.Globalization;

namespace Strata.Data.Files;

/// <summary>
/// Turns a CSV file's distinct label texts into the floats a model trains on, once all rows are read: class indices
/// in sorted order of the names, or the numbers themselves (see <see cref="LabelKind"/>).
/// </summary>
internal static class LabelEncoder
{
    /// <summary>What the labels became: the kind, the float for each distinct label, and the class names (null for numbers).</summary>
    public readonly record struct Encoding(LabelKind Kind, float[] ValueOf, string[]? ClassNames);

    /// <param name="labels">The distinct label texts.</param>
    /// <param name="requested">The kind asked for; <see cref="LabelKind.Auto"/> is decided here.</param>
    /// <param name="at">Names the label cell on a line, for messages.</param>
    /// <param name="firstLines">The line each distinct label first appears on.</param>
    public static Encoding Encode(IReadOnlyList<string> labels, IReadOnlyList<int> firstLines, LabelKind requested, Func<int, string> at)
    {
        var numbers = new float[labels.Count];
        int firstText = -1;
        for (int i = 0; i < labels.Count; i++)
        {
            if (!float.TryParse(labels[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) && firstText < 0)
                firstText = i;
        }

        LabelKind kind = requested switch
        {
            LabelKind.Auto => firstText >= 0 ? LabelKind.Classes : LabelKind.Numbers,
            LabelKind.Classes or LabelKind.Numbers => requested,
            _ => throw new ArgumentOutOfRangeException(nameof(requested), requested, "Unknown label kind."),
        };
        return kind == LabelKind.Numbers
            ? Numbers(labels, firstLines, numbers, firstText, at)
            : Classes(labels, numbers, allNumbers: firstText < 0);
    }

    private static Encoding Numbers(IReadOnlyList<string> labels, IReadOnlyList<int> firstLines, float[] numbers, int firstText, Func<int, string> at)
    {
        if (firstText >= 0)
        {
            throw new InvalidDataException($"{at(firstLines[firstText])}: the label {CsvPosition.Quote(labels[firstText])} is not a number; " +
                "regression labels are numbers in invariant culture (read class names with LabelKind.Classes or Auto).");
        }
        for (int i = 0; i < numbers.Length; i++)
        {
            if (!float.IsFinite(numbers[i]))
                throw new InvalidDataException($"{at(firstLines[i])}: the label {CsvPosition.Quote(labels[i])} is not a finite number.");
        }
        return new Encoding(LabelKind.Numbers, numbers, null);
    }

    /// <summary>
    /// Indices in sorted order of the names: ordinal (Python's <c>sorted</c> on strings, so the order does not depend
    /// on a culture), or by value when every name is a number, so that codes 0..k−1 keep their values ("10" after "9").
    /// </summary>
    private static Encoding Classes(IReadOnlyList<string> labels, float[] numbers, bool allNumbers)
    {
        var order = new int[labels.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            int byValue = allNumbers ? numbers[a].CompareTo(numbers[b]) : 0;
            return byValue != 0 ? byValue : string.CompareOrdinal(labels[a], labels[b]);
        });

        var valueOf = new float[labels.Count];
        var names = new string[labels.Count];
        for (int k = 0; k < order.Length; k++)
        {
            valueOf[order[k]] = k;
            names[k] = labels[order[k]];
        }
        return new Encoding(LabelKind.Classes, valueOf, names);
    }
}
