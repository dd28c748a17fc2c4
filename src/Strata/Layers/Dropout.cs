using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Inverted dropout (Srivastava et al. 2014), as Keras's Dropout: in training each value is kept with probability
/// 1 − rate and scaled by 1/(1 − rate), so inference is the identity. A seed makes the masks reproducible.
/// <para>
/// The masks come from a counter-based stream (<see cref="DropoutKernels"/>): value i of mask k is a hash of
/// (seed, k, i). The layer's whole random state is then two numbers (<see cref="StreamSeed"/>,
/// <see cref="MasksDrawn"/>), which a saved model keeps, so training resumed from a file draws exactly the masks the
/// uninterrupted run would have drawn.
/// </para>
/// </summary>
public sealed class Dropout : Layer, IConfigurableLayer
{
    private Tensor? _y, _dx, _mask;
    private bool _dropped;

    /// <param name="rate">Fraction of the values dropped, in [0, 1).</param>
    /// <param name="seed">Seed of the masks; null draws one.</param>
    /// <param name="inputShape">Per-sample input shape, for the first layer.</param>
    /// <param name="name">Layer name; by default dropout, dropout_1, …</param>
    public Dropout(float rate, int? seed = null, int[]? inputShape = null, string? name = null) : base(name, inputShape)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        Rate = rate;
        Seed = seed;
        StreamSeed = seed is int s ? (ulong)(uint)s : (ulong)Random.Shared.NextInt64();
    }

    public float Rate { get; }
    public int? Seed { get; }

    /// <summary>The seed of the mask stream: <see cref="Seed"/>, or a random one drawn at construction.</summary>
    internal ulong StreamSeed { get; set; }

    /// <summary>Masks drawn so far; the next mask is number <see cref="MasksDrawn"/> of the stream.</summary>
    internal long MasksDrawn { get; set; }

    /// <summary>For gradient checks: reuse the last mask instead of drawing a new one.</summary>
    internal bool ReuseMask { get; set; }

    /// <summary>
    /// Where this batch starts within the global batch, in samples (set per step by a data-parallel Fit, 0 otherwise):
    /// mask value i of a rank's shard is then value offset·sample size + i of the global batch's mask, so N ranks drop
    /// exactly what one process on the global batch drops.
    /// </summary>
    internal int BatchOffset { get; set; }

    internal override void WriteConfig(LayerConfigWriter config)
    {
        config.Float("rate", Rate);
        config.OptionalInt("seed", Seed);
    }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) => new Dropout(c.Float("rate"), c.OptionalInt("seed"), c.InputShape, c.Name);

    protected override Shape OnBuild(Shape inputShape, Random random) => inputShape;

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        // A frozen Dropout (a frozen part of a reused network) drops nothing, so the frozen part is deterministic.
        _dropped = training && Trainable && Rate > 0;
        if (!_dropped)
        {
            _y = x;
            return x;
        }
        bool fresh = !ReuseMask || _mask is null || _mask.Shape != x.Shape;
        var mask = Tensor.Ensure(ref _mask, x.Shape);
        if (fresh)
        {
            ulong offset = x.Shape[0] == 0 ? 0 : (ulong)BatchOffset * (ulong)(x.Length / x.Shape[0]);
            DropoutKernels.Mask(DropoutKernels.Stream(StreamSeed, MasksDrawn) + offset, Rate, mask.Span);
            MasksDrawn++;
        }
        var y = Tensor.Ensure(ref _y, x.Shape);
        DropoutKernels.Apply(x.Span, mask.Span, y.Span);
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _y);
        if (!NeedsInputGradient) return NoGradient;
        if (!_dropped) return dy;
        var dx = Tensor.Ensure(ref _dx, dy.Shape);
        DropoutKernels.Apply(dy.Span, _mask!.Span, dx.Span);
        return dx;
    }
}
