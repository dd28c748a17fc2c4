using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Inverted dropout (Srivastava et al. 2014), as Keras's Dropout: in training each value is kept with probability
/// 1 − rate and scaled by 1/(1 − rate), so inference is the identity. A seed makes the masks reproducible.
/// <para>
/// The masks come from a counter-based stream (<see cref="DropoutKernels"/>, <see cref="RandomLayer"/>): value i of
/// mask k is a hash of (seed, k, i), and mask value i of a data-parallel rank's shard is value offset·sample size + i
/// of the global batch's mask.
/// </para>
/// </summary>
public sealed class Dropout : RandomLayer, IConfigurableLayer
{
    // _y is this layer's own buffer; _output the last output, which is the input itself when nothing was drawn.
    private Tensor? _y, _output, _dx, _mask;
    private bool _dropped;

    /// <param name="rate">Fraction of the values dropped, in [0, 1).</param>
    /// <param name="seed">Seed of the masks; null draws one.</param>
    /// <param name="inputShape">Per-sample input shape, for the first layer.</param>
    /// <param name="name">Layer name; by default dropout, dropout_1, …</param>
    public Dropout(float rate, int? seed = null, int[]? inputShape = null, string? name = null) : base(seed, inputShape, name)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        Rate = rate;
    }

    public float Rate { get; }

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
        // A frozen Dropout (a frozen part of a reused network) drops nothing (see RandomLayer).
        _dropped = training && Trainable && Rate > 0;
        if (!_dropped)
        {
            _output = x;
            return x;
        }
        bool fresh = !ReuseDraw || _mask is null || _mask.Shape != x.Shape;
        var mask = Tensor.Ensure(ref _mask, x.Shape);
        if (fresh)
        {
            ulong offset = x.Shape[0] == 0 ? 0 : (ulong)BatchOffset * (ulong)(x.Length / x.Shape[0]);
            DropoutKernels.Mask(DropoutKernels.Stream(StreamSeed, MasksDrawn) + offset, Rate, mask.Span);
            MasksDrawn++;
        }
        var y = Tensor.Ensure(ref _y, x.Shape);
        DropoutKernels.Apply(x.Span, mask.Span, y.Span);
        _output = y;
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _output);
        if (!NeedsInputGradient) return NoGradient;
        if (!_dropped) return dy;
        var dx = Tensor.Ensure(ref _dx, dy.Shape);
        DropoutKernels.Apply(dy.Span, _mask!.Span, dx.Span);
        return dx;
    }
}
