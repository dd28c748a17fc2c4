namespace Strata;

/// <summary>
/// Fills a new weight with its starting values. <c>fanIn</c> and <c>fanOut</c> follow Keras: for a kernel
/// [.., in, out] the receptive field is the product of the leading dimensions, fanIn = field·in and
/// fanOut = field·out; a vector of n values has fanIn = fanOut = n.
/// </summary>
public abstract class Initializer
{
    /// <summary>Keras's name, used in configs and on the command line (<c>he_normal</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Writes initial values for a weight of <paramref name="shape"/> into <paramref name="values"/>.</summary>
    public abstract void Fill(Shape shape, Random random, Span<float> values);

    /// <summary>Keras's fan computation for a weight shape.</summary>
    public static (int FanIn, int FanOut) Fans(Shape shape)
    {
        if (shape.Rank == 0) return (1, 1);
        if (shape.Rank == 1) return (shape[0], shape[0]);
        int field = 1;
        for (int i = 0; i < shape.Rank - 2; i++) field *= shape[i];
        return (field * shape[^2], field * shape[^1]);
    }

    /// <summary>Looks an initializer up by its Keras name.</summary>
    public static implicit operator Initializer(string name) => Initializers.Get(name);

    public override string ToString() => Name;
}
