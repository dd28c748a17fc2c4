using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>The mean over height and width of each channel: [N, H, W, C] → [N, C] (Keras's GlobalAveragePooling2D).</summary>
public sealed class GlobalAveragePooling2D(int[]? inputShape = null, string? name = null) : Layer(name, inputShape), IConfigurableLayer
{
    private Tensor? _x, _y, _dx;
    private Shape _outShape;
    private int _outShapeFor = -1;

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) => new GlobalAveragePooling2D(c.InputShape, c.Name);

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        if (inputShape.Rank != 3 || inputShape[0] * inputShape[1] == 0)
            throw new ArgumentException($"Layer '{Name}' (GlobalAveragePooling2D) needs inputs (None, height, width, channels); got {inputShape.ToBatchString()}.");
        return new Shape(inputShape[2]);
    }

    private int Channels => InputShape[2];

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        int batch = x.Shape[0];
        if (batch != _outShapeFor)
        {
            _outShape = new Shape(batch, Channels);
            _outShapeFor = batch;
        }
        var y = Tensor.Ensure(ref _y, _outShape);
        PoolingKernels.GlobalAverage(x.Span, batch, InputShape[0], InputShape[1], Channels, y.Span);
        _x = training ? x : null;
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _x is null ? null : _y);
        if (!NeedsInputGradient) return NoGradient;
        var dx = Tensor.Ensure(ref _dx, _x!.Shape);
        PoolingKernels.GlobalAverageBackward(dy.Span, dy.Shape[0], InputShape[0], InputShape[1], Channels, dx.Span);
        return dx;
    }
}
