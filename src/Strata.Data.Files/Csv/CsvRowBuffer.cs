namespace Strata.Data.Files;

/// <summary>
/// The values of a CSV file as it is read, row after row: each row's features, then its label as the index of its
/// text among the distinct labels seen so far (the int's bits stored in the float slot, so a row is one contiguous
/// stretch and no second buffer grows beside it). Whether the labels are classes or numbers is decided only once
/// every row is read (<see cref="LabelKind.Auto"/>), so their text is kept, once per distinct label.
/// <para>
/// The buffer doubles as it grows, and every growth is checked against the memory budget first, counting the old
/// and the new array (both live while copying) and the label texts. Growth is also capped by what the file can
/// hold: every stored cell took at least one character and a separator or line ending, so a file of L bytes holds
/// at most (L + 1) / 2 cells, and a small file never reserves a large buffer.
/// </para>
/// </summary>
internal sealed class CsvRowBuffer(string path, long fileLength, MemoryBudget budget)
{
    /// <summary>Bytes a distinct label costs beyond its characters: the string's header and its dictionary and list entries.</summary>
    private const int LabelOverheadBytes = 64;

    private readonly long _maxCells = Math.Min(fileLength / 2 + 1, Shape.MaxSize);
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _labels = [];
    private readonly List<int> _firstLines = [];
    private float[] _values = [];
    private int _count;
    private long _labelBytes;

    /// <summary>The cells stored so far, row after row.</summary>
    public ReadOnlySpan<float> Values => _values.AsSpan(0, _count);

    /// <summary>The distinct label texts, in the order first seen; a row's label cell holds an index into this list.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>The line on which each distinct label first appears, for messages.</summary>
    public IReadOnlyList<int> FirstLines => _firstLines;

    /// <summary>The bytes held now: the buffer's capacity and the label texts.</summary>
    public long Bytes => _values.LongLength * sizeof(float) + _labelBytes;

    /// <summary>Appends one feature value.</summary>
    public void Add(float value)
    {
        if (_count == _values.Length) Grow();
        _values[_count++] = value;
    }

    /// <summary>Appends one label, by the index of its text among the distinct labels.</summary>
    public void AddLabel(ReadOnlySpan<char> text, int line)
    {
        var lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(text, out int id))
        {
            id = _labels.Count;
            _labelBytes += text.Length * sizeof(char) + LabelOverheadBytes;
            budget.Require(Bytes, $"Reading '{path}' (up to line {line}, {_labels.Count + 1} distinct labels)");
            string label = text.ToString();
            _ids.Add(label, id);
            _labels.Add(label);
            _firstLines.Add(line);
        }
        Add(BitConverter.Int32BitsToSingle(id));
    }

    /// <summary>The label index stored in a row's label slot by <see cref="AddLabel"/>.</summary>
    public static int LabelId(float slot) => BitConverter.SingleToInt32Bits(slot);

    private void Grow()
    {
        if (_values.Length >= _maxCells)
        {
            throw new InvalidDataException(_maxCells == Shape.MaxSize
                ? $"'{path}' holds more than {_maxCells} values, more than a tensor can hold."
                : $"'{path}' holds more values than its {fileLength} bytes can; did it grow while being read?");
        }
        long capacity = Math.Min(Math.Max(1024, _values.LongLength * 2), _maxCells);
        budget.Require(Bytes + capacity * sizeof(float), $"Reading '{path}' ({_count} values so far, growing to {capacity})");
        var grown = GC.AllocateUninitializedArray<float>((int)capacity);
        Values.CopyTo(grown);
        _values = grown;
    }
}
