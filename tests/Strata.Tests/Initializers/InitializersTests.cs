namespace Strata.Tests;

public class InitializersTests
{
    private static (double Mean, double Std, double MaxAbs) Stats(Initializer init, Shape shape)
    {
        var v = new float[shape.Size];
        init.Fill(shape, new Random(3), v);
        double mean = v.Average(x => (double)x);
        double std = Math.Sqrt(v.Average(x => (x - mean) * (x - mean)));
        return (mean, std, v.Max(x => Math.Abs((double)x)));
    }

    [Theory]
    [InlineData("glorot_uniform", 2.0 / (400 + 200))]
    [InlineData("glorot_normal", 2.0 / (400 + 200))]
    [InlineData("he_uniform", 2.0 / 400)]
    [InlineData("he_normal", 2.0 / 400)]
    [InlineData("lecun_normal", 1.0 / 400)]
    public void Variance_scaling_has_the_keras_variance(string name, double variance)
    {
        var (mean, std, maxAbs) = Stats(Initializers.Get(name), new Shape(400, 200));
        Assert.InRange(mean, -0.002, 0.002);
        Assert.InRange(std, Math.Sqrt(variance) * 0.98, Math.Sqrt(variance) * 1.02);
        // Uniform draws stay within √3σ; truncated normals within 2σ/0.8796.
        double bound = name.EndsWith("uniform", StringComparison.Ordinal) ? Math.Sqrt(3 * variance) : 2 * Math.Sqrt(variance) / 0.87962566;
        Assert.True(maxAbs <= bound * 1.0001, $"{name}: {maxAbs} > {bound}");
    }

    [Fact]
    public void Conv_kernels_use_the_receptive_field_in_the_fans()
    {
        Assert.Equal((3 * 3 * 16, 3 * 3 * 32), Initializer.Fans(new Shape(3, 3, 16, 32)));
        Assert.Equal((784, 300), Initializer.Fans(new Shape(784, 300)));
        Assert.Equal((10, 10), Initializer.Fans(new Shape(10)));
    }

    [Fact]
    public void Constants_and_random_normal()
    {
        Assert.Equal((0.0, 0.0, 0.0), Stats(Initializers.Zeros, new Shape(10)));
        Assert.Equal(1.0, Stats(Initializers.Ones, new Shape(10)).Mean);
        var (mean, std, _) = Stats(Initializers.RandomNormal(0.05f), new Shape(200, 200));
        Assert.InRange(mean, -0.001, 0.001);
        Assert.InRange(std, 0.049, 0.051);
    }

    [Fact]
    public void Unknown_names_list_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => Initializers.Get("kaiming"));
        Assert.Contains("he_normal", e.Message);
    }
}
