using Strata.Data;

namespace Strata.Tests.Data;

public class FashionMnistTests : IDisposable
{
    private const int TrainCount = 20;
    private const int TestCount = 10;
    private const int Pixels = 28 * 28;

    private readonly string _dir = Directory.CreateTempSubdirectory("strata-fmnist-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Load_SyntheticDirectory_GivesShapesScalingAndLabels(bool gzip)
    {
        WriteSet("train", TrainCount, gzip);
        WriteSet("t10k", TestCount, gzip);

        var (train, test) = FashionMnist.Load(_dir);

        Assert.Equal(new Shape(TrainCount, 28, 28), train.Images.Shape);
        Assert.Equal(new Shape(TrainCount), train.Labels.Shape);
        Assert.Equal(new Shape(TestCount, 28, 28), test.Images.Shape);
        Assert.Equal(new Shape(TestCount), test.Labels.Shape);
        Assert.Equal(TrainCount, train.Count);
        Assert.Equal(TestCount, test.Count);
        for (int n = 0; n < TrainCount; n++)
        {
            Assert.Equal(Label(n), train.Labels[n]);
            for (int p = 0; p < Pixels; p += 97)
                Assert.Equal(Pixel(n, p) / 255f, train.Images[n * Pixels + p]);
        }
        Assert.Equal(0f, train.Images.Span.ToArray().Min());
        Assert.Equal(1f, train.Images.Span.ToArray().Max());
        Assert.Equal(Enumerable.Range(0, TestCount).Select(n => (float)Label(n)), test.Labels.Span.ToArray());
    }

    [Fact]
    public void Load_AcceptsAMixOfRawAndCompressedFiles()
    {
        WriteSet("train", TrainCount, gzip: true);
        WriteSet("t10k", TestCount, gzip: false);
        var (train, test) = FashionMnist.Load(_dir);
        Assert.Equal(TrainCount, train.Count);
        Assert.Equal(TestCount, test.Count);
    }

    [Fact]
    public void Load_MissingDirectory_SaysHowToInstallOrPointAtTheData()
    {
        string absent = Path.Combine(_dir, "nowhere");
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(absent));
        Assert.Contains(absent, e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
        Assert.Contains(FashionMnist.DefaultDirectory, e.Message, StringComparison.Ordinal);
        Assert.Contains("--data DIR", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_NamesItAndSaysHowToFix()
    {
        WriteSet("train", TrainCount, gzip: true);
        WriteSet("t10k", TestCount, gzip: true);
        File.Delete(Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz"));

        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_dir));
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("train-images-idx3-ubyte (raw", e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
        Assert.Contains("--data DIR", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LabelOutsideZeroToNine_IsRefusedNamingTheFile()
    {
        WriteSet("train", TrainCount, gzip: false);
        WriteSet("t10k", TestCount, gzip: false);
        byte[] labels = Enumerable.Range(0, TrainCount).Select(n => (byte)Label(n)).ToArray();
        labels[7] = 10;
        string path = Path.Combine(_dir, "train-labels-idx1-ubyte");
        Idx.Write(path, labels, TrainCount);

        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_dir));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("label 10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CountMismatch_IsRefused()
    {
        WriteSet("train", TrainCount, gzip: false);
        WriteSet("t10k", TestCount, gzip: false);
        Idx.Write(Path.Combine(_dir, "t10k-labels-idx1-ubyte"), new byte[TestCount - 1], TestCount - 1);

        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_dir));
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{TestCount} images", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ImagesAndLabelsSwapped_AreRefusedByRank()
    {
        WriteSet("train", TrainCount, gzip: false);
        WriteSet("t10k", TestCount, gzip: false);
        Idx.Write(Path.Combine(_dir, "train-images-idx3-ubyte"), new byte[TrainCount], TrainCount);

        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_dir));
        Assert.Contains("train-images-idx3-ubyte", e.Message, StringComparison.Ordinal);
        Assert.Contains("(N, 28, 28)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LabelFileOfWrongRank_IsRefused()
    {
        WriteSet("train", TrainCount, gzip: false);
        WriteSet("t10k", TestCount, gzip: false);
        Idx.Write(Path.Combine(_dir, "t10k-labels-idx1-ubyte"), new byte[TestCount], TestCount, 1);

        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_dir));
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FilesTogetherBeyondTheBudget_AreRefusedFromTheirHeadersBeforeReadingAny()
    {
        WriteSet("train", TrainCount, gzip: true);
        WriteSet("t10k", TestCount, gzip: false);
        long images = TrainCount * Pixels * sizeof(float), test = TestCount * Pixels * sizeof(float);
        // Each file alone is within the budget; all four are not.
        var budget = new MemoryBudget(images + test);
        var e = Assert.Throws<MemoryBudgetExceededException>(() => FashionMnist.Load(_dir, budget));
        Assert.StartsWith($"Fashion-MNIST's '{Path.Combine(_dir, "train-images-idx3-ubyte.gz")}' ({TrainCount}, 28, 28), '{Path.Combine(_dir, "train-labels-idx1-ubyte.gz")}' ({TrainCount},)",
            e.Message, StringComparison.Ordinal);
        Assert.Equal(images + test + (TrainCount + TestCount) * sizeof(float), e.Needed);
        // The test set alone fits.
        Assert.Equal(TestCount, FashionMnist.LoadTest(_dir, budget).Count);
    }

    [Fact]
    public void ClassNames_AreTheTenFashionMnistClasses()
    {
        Assert.Equal(
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            FashionMnist.ClassNames);
    }

    /// <summary>
    /// Runs only where the Debian package dataset-fashion-mnist is installed; elsewhere it returns early
    /// (xunit v2 has no runtime skip), because tests must never depend on the real dataset.
    /// </summary>
    [Fact]
    public void RealDataset_LoadsWhenInstalled_ElsePassesWithoutChecking()
    {
        if (!Directory.Exists(FashionMnist.DefaultDirectory)) return;

        var (train, test) = FashionMnist.Load();

        Assert.Equal(new Shape(60000, 28, 28), train.Images.Shape);
        Assert.Equal(new Shape(10000, 28, 28), test.Images.Shape);
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal(9f, train.Labels[0]);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[(int)train.Labels[0]]);
    }

    private static int Label(int n) => n * 3 % 10;

    private static byte Pixel(int n, int p) => (byte)((n * 31 + p * 7) % 256);

    private void WriteSet(string prefix, int count, bool gzip)
    {
        var images = new byte[count * Pixels];
        for (int n = 0; n < count; n++)
            for (int p = 0; p < Pixels; p++)
                images[n * Pixels + p] = Pixel(n, p);
        byte[] labels = Enumerable.Range(0, count).Select(n => (byte)Label(n)).ToArray();
        string suffix = gzip ? ".gz" : "";
        Idx.Write(Path.Combine(_dir, $"{prefix}-images-idx3-ubyte{suffix}"), images, gzip, count, 28, 28);
        Idx.Write(Path.Combine(_dir, $"{prefix}-labels-idx1-ubyte{suffix}"), labels, gzip, count);
    }
}
