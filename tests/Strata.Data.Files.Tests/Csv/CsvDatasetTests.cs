namespace Strata.Data.Files.Tests.Csv;

public sealed class CsvDatasetTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private const string Iris = """
        sepal_length,sepal_width,species
        5.1,3.5,setosa
        7.0,3.2,versicolor
        6.3,3.3,virginica
        4.9,3.0,setosa

        """;

    [Fact]
    public void Load_WithHeader_ReadsFeaturesAndClassNamesInSortedOrder()
    {
        string path = _folder.Write("iris.csv", Iris.Replace("versicolor", "Versicolor", StringComparison.Ordinal));

        CsvData data = CsvDataset.Load(path, labelColumn: "species");

        Assert.Equal(new Shape(4, 2), data.Dataset.Images.Shape);
        Assert.Equal([5.1f, 3.5f, 7.0f, 3.2f, 6.3f, 3.3f, 4.9f, 3.0f], data.Dataset.Images.Span.ToArray());
        Assert.Equal(new Shape(4), data.Dataset.Labels.Shape);
        // Ordinal order, as Python's sorted: upper case before lower case.
        Assert.Equal(["Versicolor", "setosa", "virginica"], data.Dataset.ClassNames);
        Assert.Equal([1f, 0f, 2f, 1f], data.Dataset.Labels.Span.ToArray());
        Assert.Equal(["sepal_length", "sepal_width"], data.FeatureNames);
        Assert.Equal("species", data.LabelName);
        Assert.Equal(LabelKind.Classes, data.LabelKind);
    }

    [Fact]
    public void Load_LabelInTheMiddle_KeepsTheFeaturesInFileOrder()
    {
        string path = _folder.Write("middle.csv", "a,label,b,c\n1,x,2,3\n4,y,5,6\n");

        CsvData data = CsvDataset.Load(path, labelColumn: 1);

        Assert.Equal(["a", "b", "c"], data.FeatureNames);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], data.Dataset.Images.Span.ToArray());
        Assert.Equal([0f, 1f], data.Dataset.Labels.Span.ToArray());
    }

    [Fact]
    public void Load_WithoutHeader_NamesColumnsByIndexAndTakesTheLabelByIndex()
    {
        string path = _folder.Write("plain.csv", "1.5,2,9\n3,4,10\n5,6,2\n");

        CsvData data = CsvDataset.Load(path, labelColumn: -1, new CsvOptions { HasHeader = false, Labels = LabelKind.Classes });

        Assert.Equal(new Shape(3, 2), data.Dataset.Images.Shape);
        Assert.Equal([1.5f, 2f, 3f, 4f, 5f, 6f], data.Dataset.Images.Span.ToArray());
        Assert.Equal(["0", "1"], data.FeatureNames);
        Assert.Equal("2", data.LabelName);
        // Numeric class names sort by value: "10" after "9".
        Assert.Equal(["2", "9", "10"], data.Dataset.ClassNames);
        Assert.Equal([1f, 2f, 0f], data.Dataset.Labels.Span.ToArray());
    }

    [Fact]
    public void Load_NumericLabels_AreRegressionTargetsOfShapeNBy1()
    {
        string path = _folder.Write("house.csv", "rooms,area,price\n3,70.5,250.25\n4,92,-1e2\n");

        CsvData data = CsvDataset.Load(path, "price");

        Assert.Equal(LabelKind.Numbers, data.LabelKind);
        Assert.Equal(new Shape(2, 1), data.Dataset.Labels.Shape);
        Assert.Equal([250.25f, -100f], data.Dataset.Labels.Span.ToArray());
        Assert.Null(data.Dataset.ClassNames);
    }

    [Fact]
    public void Load_SemicolonSeparator_IsDetectedOrGiven()
    {
        string path = _folder.Write("semi.csv", "x;y;label\n1.25;\"2.5\";a\n3;4;\"b\"\n");

        foreach (var options in new[] { CsvOptions.Default, new CsvOptions { Separator = ';' } })
        {
            CsvData data = CsvDataset.Load(path, "label", options);
            Assert.Equal([1.25f, 2.5f, 3f, 4f], data.Dataset.Images.Span.ToArray());
            Assert.Equal(["a", "b"], data.Dataset.ClassNames);
        }
    }

    [Fact]
    public void Load_BlankLinesAreSkippedAndLinesStillCountThem()
    {
        string path = _folder.Write("blank.csv", "a,b,label\n1,2,x\n\n3,oops,y\n");

        var e = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, "label"));

        Assert.Contains($"'{path}' line 4, column 2 ('b'): 'oops' is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadCell_IsNamedByFileLineAndColumn()
    {
        string path = _folder.Write("bad.csv", Iris.Replace("7.0,3.2", "7.0,\"3,2x\"", StringComparison.Ordinal));

        var e = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, "species"));

        Assert.Contains($"'{path}' line 3, column 2 ('sepal_width'): '3,2x' is not a number", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1,,x", "line 3, column 2 ('b'): the value is missing")]
    [InlineData("1, ,x", "line 3, column 2 ('b'): the value is missing")]
    [InlineData("NaN,2,x", "line 3, column 1 ('a'): 'NaN' is not a finite number")]
    [InlineData("1e40,2,x", "line 3, column 1 ('a'): '1e40' is not a finite number")]
    [InlineData("1,2,", "line 3, column 3 ('label'): the label is missing")]
    public void Load_MissingOrNonFiniteCell_IsRefusedWithLineAndColumn(string row, string expected)
    {
        string path = _folder.Write("missing.csv", $"a,b,label\n1,2,x\n{row}\n");

        var e = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, "label"));

        Assert.Contains($"'{path}' {expected}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithoutHeader_NamesTheColumnByNumberOnly()
    {
        string path = _folder.Write("plain-bad.csv", "1,2,0\n1,abc,1\n");

        var e = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, 2, new CsvOptions { HasHeader = false }));

        Assert.Contains($"'{path}' line 2, column 2: 'abc' is not a number", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4,5", "line 3 has 2 columns, but the header (line 1) has 3.")]
    [InlineData("4,5,6,y", "line 3 has 4 columns, but the header (line 1) has 3.")]
    public void Load_RaggedRow_IsRefused(string row, string expected)
    {
        string path = _folder.Write("ragged.csv", $"a,b,label\n1,2,x\n{row}\n");

        var e = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, "label"));

        Assert.Contains($"'{path}' {expected}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TextLabelAsNumbers_IsRefusedWithItsLine()
    {
        string path = _folder.Write("text.csv", "a,y\n1,2.5\n2,high\n");

        var e = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, "y", new CsvOptions { Labels = LabelKind.Numbers }));

        Assert.Contains($"'{path}' line 3, column 2 ('y'): the label 'high' is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownOrImpossibleLabelColumn_IsAnArgumentError()
    {
        string path = _folder.Write("cols.csv", "a,b\n1,2\n");

        var unknown = Assert.Throws<ArgumentException>(() => CsvDataset.Load(path, "species"));
        Assert.Contains("has no column 'species'; its columns are 'a', 'b'", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CsvDataset.Load(path, "a", new CsvOptions { HasHeader = false }));
        Assert.Throws<ArgumentOutOfRangeException>(() => CsvDataset.Load(path, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => CsvDataset.Load(path, -3));
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("a,b\n", "holds a header but no rows")]
    [InlineData("\n \n", "is empty")]
    [InlineData("a\n1\n", "line 1 has 1 column when split at ';'; a dataset needs a label column and at least one feature column")]
    [InlineData("a,b,a\n1,2,3\n", "line 1: columns 1 and 3 are both named 'a'")]
    public void Load_FileWithoutUsableRows_IsRefused(string text, string expected)
    {
        string path = _folder.Write("empty.csv", text);

        var e = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, 0));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        string path = Path.Combine(_folder.Path, "nowhere.csv");
        var e = Assert.Throws<FileNotFoundException>(() => CsvDataset.Load(path, "y"));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BeyondTheMemoryBudget_IsRefusedAsTheBufferGrows()
    {
        var rows = Enumerable.Range(0, 2000).Select(i => $"{i},{i % 3}");
        string path = _folder.Write("big.csv", "x,y\n" + string.Join('\n', rows) + "\n");

        var e = Assert.Throws<MemoryBudgetExceededException>(() => CsvDataset.Load(path, "y", budget: new MemoryBudget(8 * 1024)));

        Assert.Contains($"Reading '{path}'", e.Message, StringComparison.Ordinal);
        Assert.Equal(2000, CsvDataset.Load(path, "y", budget: new MemoryBudget(64 * 1024)).Dataset.Count);
    }
}
