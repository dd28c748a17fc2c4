using Strata.Serialization;

namespace Strata.Layers;

/// <summary>Reshapes each sample to one axis ([N, 28, 28] → [N, 784]) without copying.</summary>
public sealed class Flatten : Layer, IConfigurableLayer
{
    private Tensor? _y, _dx;
    private Shape _outShape, _outShapeFor, _inShape;

    /// <param name="inputShape">Per-sample input shape, for the first layer (e.g. [28, 28]).</param>
    /// <param name="name">Layer name; by default flatten, flatten_1, …</param>
    public Flatten(int[]? inputShape = null, string? name = null) : base(name, inputShape) { }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) => new Flatten(c.InputShape, c.Name);

    protected override Shape OnBuild(Shape inputShape, Random random) => new(inputShape.Size);

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        if (x.Shape != _outShapeFor)
        {
            _outShape = new Shape(x.Shape[0], OutputShape[0]);
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
