using Strata.Serialization;

namespace Strata.Layers;

/// <summary>Gives each sample a new shape of the same size, without copying; one dimension may be −1 (inferred).</summary>
public sealed class Reshape : Layer, IConfigurableLayer
{
    private readonly int[] _target;
    private Tensor? _y, _dx;
    private Shape _outShape, _inShape;
    private Shape _outShapeFor;

    /// <param name="targetShape">The per-sample shape, e.g. [28, 28, 1]; at most one −1.</param>
    /// <param name="inputShape">Per-sample input shape, for the first layer.</param>
    /// <param name="name">Layer name; by default reshape, reshape_1, …</param>
    public Reshape(int[] targetShape, int[]? inputShape = null, string? name = null) : base(name, inputShape)
    {
        ArgumentNullException.ThrowIfNull(targetShape);
        if (targetShape.Count(d => d == -1) > 1 || targetShape.Any(d => d < -1 || d == 0))
            throw new ArgumentException($"Reshape target ({string.Join(", ", targetShape)}) may hold positive sizes and at most one -1.", nameof(targetShape));
        _target = (int[])targetShape.Clone();
    }

    /// <summary>The per-sample shape as given, −1 included.</summary>
    public IReadOnlyList<int> TargetShape => _target;

    internal override void WriteConfig(LayerConfigWriter config) => config.Ints("target_shape", _target);

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) => new Reshape(c.IntArray("target_shape", -1, int.MaxValue), c.InputShape, c.Name);

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        int known = _target.Where(d => d > 0).Aggregate(1, (p, d) => p * d);
        var dims = (int[])_target.Clone();
        int unknown = Array.IndexOf(dims, -1);
        if (unknown >= 0)
        {
            if (inputShape.Size % known != 0)
                throw new ArgumentException($"Layer '{Name}' (Reshape) cannot reshape {inputShape.ToBatchString()} to ({string.Join(", ", _target)}).");
            dims[unknown] = inputShape.Size / known;
        }
        var output = new Shape(dims);
        if (output.Size != inputShape.Size)
            throw new ArgumentException($"Layer '{Name}' (Reshape) cannot reshape {inputShape.ToBatchString()} ({inputShape.Size} values) to {output.ToBatchString()} ({output.Size}).");
        return output;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        if (x.Shape != _outShapeFor)
        {
            _outShape = OutputShape.WithBatch(x.Shape[0]);
            _outShapeFor = x.Shape;
        }
        _inShape = x.Shape;
        return Tensor.View(ref _y, x, _outShape);
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _y);
        return NeedsInputGradient ? Tensor.View(ref _dx, dy, _inShape) : NoGradient;
    }
}
