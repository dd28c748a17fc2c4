using System.Diagnostics;
using SkiaSharp;

namespace Strata.Data.Files.Tests.Images;

public sealed class ImageFolderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Root => _folder.Path;

    private void Grey(string relative, byte value, int width = 4, int height = 4, SKEncodedImageFormat format = SKEncodedImageFormat.Png) =>
        TestImages.WriteGrey(_folder.File(relative), width, height, (_, _) => value, format);

    private void Rgb(string relative, (byte, byte, byte) colour, int width = 4, int height = 4, SKEncodedImageFormat format = SKEncodedImageFormat.Png) =>
        TestImages.WriteRgb(_folder.File(relative), width, height, (_, _) => colour, format);

    [Fact]
    public void Load_ClassesAreTheSortedFolders_FilesInKerasOrder_OthersSkipped()
    {
        Grey("dog/b.png", 30);
        Grey("dog/a.PNG", 20);
        Grey("dog/puppies/c.jpg", 40, format: SKEncodedImageFormat.Jpeg);
        Grey("cat/z.jpeg", 10, format: SKEncodedImageFormat.Jpeg);
        Grey("bird/x.png", 0);
        Grey("empty/.hidden.png", 99);
        Grey("stray.png", 99);  // in no class folder
        _folder.Write("dog/notes.txt", "not an image");
        _folder.Write("cat/image.webp.txt", "not an image either");

        var (train, validation) = ImageFolder.Load(Root, imageSize: (4, 4), colorMode: ColorMode.Grayscale, shuffle: false, rescale: 1f);

        Assert.Null(validation);
        Assert.Equal(["bird", "cat", "dog", "empty"], train.ClassNames);
        Assert.Equal(new Shape(5, 4, 4, 1), train.Images.Shape);
        Assert.Equal([0f, 1f, 2f, 2f, 2f], train.Labels.Span.ToArray());
        // bird/x, cat/z, then dog's own files by name (a.PNG before b.png), then its sub-folder: Keras's walk.
        float[] firstPixels = Enumerable.Range(0, 5).Select(i => train.Images.Span[i * 16]).ToArray();
        Assert.Equal([0f, 10f, 20f, 30f, 40f], firstPixels, new Tolerance(2f));
    }

    [Fact]
    public void Load_ConstantImagesOfTwoSizes_ResizeToTheirColour_InGreyAndRgb()
    {
        Rgb("a/wide.png", (10, 200, 30), width: 7, height: 5);
        Rgb("a/small.jpg", (10, 200, 30), width: 3, height: 2, format: SKEncodedImageFormat.Jpeg);
        Grey("b/grey.png", 77, width: 5, height: 9);

        var (rgb, _) = ImageFolder.Load(Root, imageSize: (4, 6), colorMode: ColorMode.Rgb, shuffle: false, rescale: 1f);
        var (grey, _) = ImageFolder.Load(Root, imageSize: (4, 6), colorMode: ColorMode.Grayscale, shuffle: false, rescale: 1f);

        Assert.Equal(new Shape(3, 4, 6, 3), rgb.Images.Shape);
        Assert.Equal(new Shape(3, 4, 6, 1), grey.Images.Shape);
        var pixels = rgb.Images.Span;
        for (int i = 0; i < 2 * 24; i++)
        {
            // The PNG exactly; the JPEG within its rounding.
            float tolerance = i < 24 ? 0f : 3f;
            Assert.Equal(10f, pixels[i * 3], tolerance);
            Assert.Equal(200f, pixels[i * 3 + 1], tolerance);
            Assert.Equal(30f, pixels[i * 3 + 2], tolerance);
        }
        // A grey image is repeated in each channel of RGB.
        Assert.All(pixels[(2 * 24 * 3)..].ToArray(), v => Assert.Equal(77f, v));

        // Luma (0.299·10 + 0.587·200 + 0.114·30 = 123.81) rounded to 8 bits, as TensorFlow's decoders round it.
        Assert.All(grey.Images.Span[..24].ToArray(), v => Assert.Equal(124f, v));
        Assert.All(grey.Images.Span[(2 * 24)..].ToArray(), v => Assert.Equal(77f, v));
    }

    [Fact]
    public void Load_TwoColourImage_ResizesBilinearlyWithHalfPixelCentres_AsTensorFlow()
    {
        // Columns 0, 100, 200, 250 on two rows.
        byte[] columns = [0, 100, 200, 250];
        TestImages.WriteGrey(_folder.File("c/steps.png"), 4, 2, (x, _) => columns[x]);

        var (up, _) = ImageFolder.Load(Root, imageSize: (2, 8), colorMode: ColorMode.Grayscale, rescale: 1f);
        var (down, _) = ImageFolder.Load(Root, imageSize: (1, 2), colorMode: ColorMode.Grayscale, rescale: 1f);
        var (same, _) = ImageFolder.Load(Root, imageSize: (2, 4), colorMode: ColorMode.Grayscale);

        // tf.image.resize([[0, 100, 200, 250]], (1, 8)): source x = (i + ½)/2 − ½, clamped at the edges.
        float[] row = [0f, 25f, 75f, 125f, 175f, 212.5f, 237.5f, 250f];
        Assert.Equal([.. row, .. row], up.Images.Span.ToArray());
        // Shrinking blends the two middle neighbours without antialiasing: x = 0.5 and 2.5.
        Assert.Equal([50f, 225f], down.Images.Span.ToArray());
        // The same size is the image, scaled to [0, 1] by the default rescale as FashionMnist.Load.
        Assert.Equal(columns.Concat(columns).Select(v => v / 255f), same.Images.Span.ToArray(), new Tolerance(1e-6f));
    }

    [Fact]
    public void Load_ImagesAreReadByContent_NotByName()
    {
        Rgb("a/really-a-jpeg.png", (0, 0, 255), format: SKEncodedImageFormat.Jpeg);
        Rgb("b/really-a-png.jpg", (255, 0, 0));

        var (train, _) = ImageFolder.Load(Root, imageSize: (4, 4), shuffle: false, rescale: 1f);

        Assert.Equal(255f, train.Images.Span[2], 3f);
        Assert.Equal(255f, train.Images.Span[48]);
    }

    /// <summary>Ten images, each a different constant grey (0, 20, …, 180), in two classes.</summary>
    private void TenNumberedImages()
    {
        for (int i = 0; i < 10; i++) Grey($"{(i % 2 == 0 ? "even" : "odd")}/{i}.png", (byte)(i * 20), width: 3, height: 3);
    }

    private static float[] Ids(Dataset d) => Enumerable.Range(0, d.Count).Select(i => d.Images.Span[i * 4] / 20f).ToArray();

    [Fact]
    public void Load_SeededSplit_IsReproducibleAndDisjoint()
    {
        TenNumberedImages();

        var (train, validation) = ImageFolder.Load(Root, imageSize: (2, 2), colorMode: ColorMode.Grayscale, validationSplit: 0.3f, seed: 7, rescale: 1f);
        var (train2, validation2) = ImageFolder.Load(Root, imageSize: (2, 2), colorMode: ColorMode.Grayscale, validationSplit: 0.3f, seed: 7, rescale: 1f);
        var (other, _) = ImageFolder.Load(Root, imageSize: (2, 2), colorMode: ColorMode.Grayscale, validationSplit: 0.3f, seed: 8, rescale: 1f);

        Assert.NotNull(validation);
        Assert.Equal(7, train.Count);
        Assert.Equal(3, validation.Count);
        Assert.Equal(train.Images.Span.ToArray(), train2.Images.Span.ToArray());
        Assert.Equal(train.Labels.Span.ToArray(), train2.Labels.Span.ToArray());
        Assert.Equal(validation.Images.Span.ToArray(), validation2!.Images.Span.ToArray());
        Assert.Equal(validation.Labels.Span.ToArray(), validation2.Labels.Span.ToArray());

        float[] trainIds = Ids(train), validationIds = Ids(validation);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), trainIds.Concat(validationIds).Order());
        Assert.NotEqual(Enumerable.Range(0, 7).Select(i => (float)i), trainIds);  // shuffled
        Assert.NotEqual(trainIds, Ids(other));                                    // by the seed
        // Labels travel with their images: image i is in class "even" (0) or "odd" (1).
        Assert.Equal(trainIds.Select(id => id % 2), train.Labels.Span.ToArray());
        Assert.Equal(["even", "odd"], validation.ClassNames);
    }

    [Fact]
    public void Load_SplitCountsAsKeras_AndMayNotLeaveTheValidationSetEmpty()
    {
        TenNumberedImages();
        // int(0.7 × 10) = 7 as Python computes it, though 0.7f × 10 is 6.99999988 in float.
        var (_, validation) = ImageFolder.Load(Root, imageSize: 2, validationSplit: 0.7f, seed: 1);
        Assert.Equal(7, validation!.Count);
        var e = Assert.Throws<ArgumentException>(() => ImageFolder.Load(Root, imageSize: 2, validationSplit: 0.05f, seed: 1));
        Assert.Contains("leaves the validation set empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_HostileHeader_IsRefusedBeforeDecoding()
    {
        Grey("a/fine.png", 1);
        string hostile = _folder.File("a/huge.png");
        File.WriteAllBytes(hostile, TestImages.PngHeaderOnly(60000, 60000));

        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<MemoryBudgetExceededException>(() => ImageFolder.Load(Root, imageSize: (28, 28)));

        // 60000 × 60000 × 4 bytes of RGBA would be 13 GB: refused by the budget, from the header, at once.
        Assert.Contains($"Decoding '{hostile}' (60000×60000 pixels, as its header declares)", e.Message, StringComparison.Ordinal);
        Assert.Contains("more than the memory budget of 4.0 GB", e.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Load_DatasetBeyondTheBudget_IsRefusedBeforeAllocating()
    {
        Rgb("a/one.png", (1, 2, 3));
        Rgb("b/two.png", (1, 2, 3));

        var e = Assert.Throws<MemoryBudgetExceededException>(() => ImageFolder.Load(Root, imageSize: (64, 64), budget: new MemoryBudget(64 * 1024)));

        Assert.Contains($"The images of '{Root}' (2 × 64×64×3 values)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CorruptImages_AreRefusedWithTheirNames()
    {
        Grey("a/fine.png", 1, width: 32, height: 32);
        string garbage = _folder.File("a/garbage.png");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(Root, imageSize: 4));
        Assert.Contains($"'{garbage}' is not an image Skia can read", e.Message, StringComparison.Ordinal);
        File.Delete(garbage);

        string truncated = _folder.File("a/truncated.png");
        TestImages.WriteRgb(truncated, 64, 64, (x, y) => ((byte)(x * 4), (byte)(y * 4), (byte)(x ^ y)));
        byte[] whole = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, whole[..(whole.Length / 2)]);
        e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(Root, imageSize: 4));
        Assert.Contains($"'{truncated}' is corrupt or truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AFormatKerasDoesNotRead_IsRefusedEvenUnderAnImageName()
    {
        Rgb("a/actually.png", (1, 2, 3), format: SKEncodedImageFormat.Webp);

        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(Root, imageSize: 4));

        Assert.Contains("holds a Webp image; image folders take PNG, JPEG, BMP and GIF files", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoImagesOrNoFolder_IsRefused()
    {
        Directory.CreateDirectory(Path.Combine(Root, "cats"));
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(Root));
        Assert.Contains("holds no images", e.Message, StringComparison.Ordinal);
        Assert.Contains("(1 sub-folders found)", e.Message, StringComparison.Ordinal);
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Load(Path.Combine(Root, "nowhere")));
    }

    /// <summary>Compares floats within an absolute tolerance.</summary>
    private sealed class Tolerance(float within) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= within;
        public int GetHashCode(float obj) => 0;
    }
}
