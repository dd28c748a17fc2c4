using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class RandomTranslationTests
{
    /// <summary>A batch of 7×7 images each with a single 1 at the centre, so an output's 1 shows its image's shift.</summary>
    private static Tensor Dots(int batch, int channels = 1)
    {
        var x = new Tensor(new Shape(batch, 7, 7, channels));
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++) x[((n * 7 + 3) * 7 + 3) * channels + c] = 1f;
        return x;
    }

    private static (int Dy, int Dx) ShiftOf(Tensor y, int n)
    {
        for (int i = 0; i < 49; i++)
            if (y[n * 49 + i] == 1f) return (i / 7 - 3, i % 7 - 3);
        throw new InvalidOperationException("the dot left the image");
    }

    [Fact]
    public void Training_shifts_each_image_by_its_own_whole_pixels_within_the_factor_and_inference_does_not()
    {
        var layer = new RandomTranslation(0.3f, seed: 5); // ⌊0.3·7⌋ = 2 pixels each way
        layer.Build(new Shape(7, 7, 1));
        Assert.Equal((2, 2), (layer.MaxShiftHeight, layer.MaxShiftWidth));
        var x = Dots(500);
        Assert.Same(x, layer.Forward(x, training: false));

        var y = layer.Forward(x, training: true);
        var shifts = Enumerable.Range(0, 500).Select(n => ShiftOf(y, n)).ToList();
        Assert.All(shifts, s => Assert.True(Math.Abs(s.Dy) <= 2 && Math.Abs(s.Dx) <= 2, $"{s}"));
        // All 25 shifts occur, each about 500/25 = 20 times.
        var counts = shifts.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(25, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 5, 40));
        Assert.Equal(500, y.Span.ToArray().Sum()); // nothing lost: every dot stays inside
    }

    [Fact]
    public void A_seed_gives_the_same_shifts_and_the_next_batch_new_ones()
    {
        List<(int, int)> Shifts(RandomTranslation layer)
        {
            var y = layer.Forward(Dots(16), training: true);
            return [.. Enumerable.Range(0, 16).Select(n => ShiftOf(y, n))];
        }
        var a = new RandomTranslation(0.3f, seed: 9);
        var b = new RandomTranslation(0.3f, seed: 9);
        a.Build(new Shape(7, 7, 1));
        b.Build(new Shape(7, 7, 1));
        var first = Shifts(a);
        Assert.Equal(first, Shifts(b));
        Assert.NotEqual(first, Shifts(a));
    }

    [Fact]
    public void Gradients_match_finite_differences_for_a_fixed_draw()
    {
        var layer = new RandomTranslation(0.4f, 0.25f, seed: 3) { ReuseDraw = true };
        layer.Build(new Shape(5, 4, 2));
        GradientChecker.Check(layer, GradientChecker.Random(new Shape(3, 5, 4, 2), seed: 4));
    }

    [Fact]
    public void A_frozen_layer_and_bad_settings()
    {
        var layer = new RandomTranslation(0.3f, seed: 1) { Trainable = false };
        layer.Build(new Shape(7, 7));
        var x = new Tensor(new Shape(2, 7, 7));
        Assert.Same(x, layer.Forward(x, training: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomTranslation(1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomTranslation(0.1f, -0.1f));
        var flat = new RandomTranslation(0.1f);
        Assert.Contains("needs images", Assert.Throws<ArgumentException>(() => flat.Build(new Shape(10))).Message);
    }

    [Fact]
    public void Training_resumed_from_a_file_draws_the_shifts_of_an_unbroken_run()
    {
        var (x, y) = Models.SequentialTests.Blobs(48, seed: 2);
        var images = x.Reshape(new Shape(48, 2, 2));
        Sequential Make() => new(
            new RandomTranslation(0.5f, seed: 7, inputShape: [2, 2]),
            new Flatten(),
            new Dense(3, activation: "softmax")) { Seed = 1 };
        var straight = Make();
        straight.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy);
        straight.Fit(images, y, epochs: 3, batchSize: 8, seed: 4, verbose: 0);

        var first = Make();
        first.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy);
        first.Fit(images, y, epochs: 2, batchSize: 8, seed: 4, verbose: 0);
        string path = Path.Combine(Path.GetTempPath(), $"strata-translation-{Guid.NewGuid():N}.safetensors");
        try
        {
            first.Save(path);
            var resumed = Sequential.Load(path);
            resumed.Fit(images, y, epochs: 3, batchSize: 8, seed: 4, verbose: 0, initialEpoch: resumed.EpochsCompleted);
            Assert.Equal(straight.Layers[2].Weights[0].Value.ToArray(), resumed.Layers[2].Weights[0].Value.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
