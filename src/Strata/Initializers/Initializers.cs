namespace Strata;

/// <summary>The initializers Keras offers, by the same names and with the same distributions.</summary>
public static class Initializers
{
    public static Initializer Zeros { get; } = new ConstantInitializer("zeros", 0f);
    public static Initializer Ones { get; } = new ConstantInitializer("ones", 1f);

    /// <summary>U(−l, l), l = √(6 / (fanIn + fanOut)) (Glorot &amp; Bengio 2010). Keras's Dense default.</summary>
    public static Initializer GlorotUniform { get; } = new VarianceScaling("glorot_uniform", 1.0, FanMode.Average, uniform: true);

    /// <summary>Truncated normal with σ = √(2 / (fanIn + fanOut)).</summary>
    public static Initializer GlorotNormal { get; } = new VarianceScaling("glorot_normal", 1.0, FanMode.Average, uniform: false);

    /// <summary>U(−l, l), l = √(6 / fanIn) (He et al. 2015).</summary>
    public static Initializer HeUniform { get; } = new VarianceScaling("he_uniform", 2.0, FanMode.In, uniform: true);

    /// <summary>Truncated normal with σ = √(2 / fanIn) (He et al. 2015), the texts' choice for ReLU and ELU.</summary>
    public static Initializer HeNormal { get; } = new VarianceScaling("he_normal", 2.0, FanMode.In, uniform: false);

    /// <summary>Truncated normal with σ = √(1 / fanIn), the partner of SELU.</summary>
    public static Initializer LecunNormal { get; } = new VarianceScaling("lecun_normal", 1.0, FanMode.In, uniform: false);

    /// <summary>Plain normal N(mean, stddev²); Keras's default stddev is 0.05.</summary>
    public static Initializer RandomNormal(float stddev = 0.05f, float mean = 0f) => new RandomNormalInitializer(mean, stddev);

    /// <summary>
    /// A random orthogonal matrix (orthonormal columns, or rows when the weight is wide), as Keras's Orthogonal with
    /// gain 1. The default of recurrent kernels: it keeps ‖h·U‖ = ‖h‖ at the start of training.
    /// </summary>
    public static Initializer Orthogonal { get; } = new OrthogonalInitializer(1.0);

    /// <summary>Keras's Orthogonal with a gain other than 1.</summary>
    public static Initializer OrthogonalWith(double gain) => new OrthogonalInitializer(gain);

    /// <summary>Looks an initializer up by its Keras name.</summary>
    public static Initializer Get(string name) => name switch
    {
        "zeros" => Zeros,
        "ones" => Ones,
        "glorot_uniform" => GlorotUniform,
        "glorot_normal" => GlorotNormal,
        "he_uniform" => HeUniform,
        "he_normal" => HeNormal,
        "lecun_normal" => LecunNormal,
        "random_normal" => RandomNormal(),
        "orthogonal" => Orthogonal,
        _ => throw new ArgumentException(
            $"Unknown initializer '{name}'. Known: zeros, ones, glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_normal, random_normal, orthogonal.",
            nameof(name)),
    };

    /// <summary>A standard normal draw (Box–Muller); one value per call keeps seeded runs simple to follow.</summary>
    internal static double NextGaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(); // (0, 1]: log stays finite
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

internal enum FanMode { In, Out, Average }

internal sealed class ConstantInitializer(string name, float value) : Initializer
{
    public override string Name => name;
    public override void Fill(Shape shape, Random random, Span<float> values) => values.Fill(value);
}

internal sealed class RandomNormalInitializer(float mean, float stddev) : Initializer
{
    public override string Name => "random_normal";
    public float Mean => mean;
    public float Stddev => stddev;
    public override void Fill(Shape shape, Random random, Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(mean + stddev * Initializers.NextGaussian(random));
    }
}

/// <summary>
/// Keras's VarianceScaling: variance = scale / n with n = fanIn, fanOut or their mean. Uniform draws use
/// the limit √(3·variance); normal draws use a normal truncated at ±2σ whose σ is divided by 0.8796…,
/// the standard deviation of a unit normal truncated at ±2, so the result has the intended variance.
/// </summary>
internal sealed class VarianceScaling(string name, double scale, FanMode mode, bool uniform) : Initializer
{
    private const double TruncatedStddev = 0.87962566103423978;

    public override string Name => name;

    public override void Fill(Shape shape, Random random, Span<float> values)
    {
        var (fanIn, fanOut) = Fans(shape);
        double n = mode switch
        {
            FanMode.In => fanIn,
            FanMode.Out => fanOut,
            _ => (fanIn + fanOut) / 2.0,
        };
        double variance = scale / Math.Max(1.0, n);
        if (uniform)
        {
            double limit = Math.Sqrt(3.0 * variance);
            for (int i = 0; i < values.Length; i++)
                values[i] = (float)((random.NextDouble() * 2.0 - 1.0) * limit);
            return;
        }
        double stddev = Math.Sqrt(variance) / TruncatedStddev;
        for (int i = 0; i < values.Length; i++)
        {
            double z;
            do z = Initializers.NextGaussian(random); while (Math.Abs(z) > 2.0);
            values[i] = (float)(z * stddev);
        }
    }
}
