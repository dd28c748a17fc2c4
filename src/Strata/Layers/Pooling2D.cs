using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// The shared geometry of MaxPooling2D and AveragePooling2D: window, strides (default: the window) and padding. Window
/// and strides are <see cref="Size2D"/> pairs (height, width); an int means both axes.
/// </summary>
public abstract class Pooling2D : Layer
{
    private protected ConvGeometry Geometry;
    private Shape _outShape;
    private int _outShapeFor = -1;

    private protected Pooling2D(Size2D poolSize, Size2D? strides, string padding, int[]? inputShape, string? name) : base(name, inputShape)
    {
        poolSize.RequirePositive(nameof(poolSize));
        strides?.RequirePositive(nameof(strides));
        if (padding is not ("valid" or "same"))
            throw new ArgumentException($"Padding must be \"valid\" or \"same\"; got \"{padding}\".", nameof(padding));
        PoolSize = poolSize;
        Strides = strides ?? poolSize;
        Padding = padding;
    }

    public Size2D PoolSize { get; }
    public Size2D Strides { get; }
    public string Padding { get; }

    internal override void WriteConfig(LayerConfigWriter config)
    {
        config.Size("pool_size", PoolSize);
        config.Size("strides", Strides);
        config.String("padding", Padding);
    }

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        if (inputShape.Rank != 3 || inputShape.Size == 0)
            throw new ArgumentException($"Layer '{Name}' ({TypeName}) needs inputs (None, height, width, channels); got {inputShape.ToBatchString()}.");
        bool same = Padding == "same";
        var (k, s) = (PoolSize, Strides);
        var (oh, ph) = ConvKernels.Axis(inputShape[0], k.Height, s.Height, 1, same);
        var (ow, pw) = ConvKernels.Axis(inputShape[1], k.Width, s.Width, 1, same);
        if (oh == 0 || ow == 0)
            throw new ArgumentException($"Layer '{Name}' ({TypeName}): a {k} window does not fit input {inputShape.ToBatchString()}.");
        Geometry = new ConvGeometry(0, inputShape[0], inputShape[1], inputShape[2], k.Height, k.Width, s.Height, s.Width, 1, 1, oh, ow, ph, pw);
        return new Shape(oh, ow, inputShape[2]);
    }

    /// <summary>The batched output shape, cached per batch size.</summary>
    private protected Shape BatchedOutput(int batch)
    {
        if (batch != _outShapeFor)
        {
            _outShape = OutputShape.WithBatch(batch);
            _outShapeFor = batch;
        }
        return _outShape;
    }
}

/// <summary>The maximum of each window (Keras's MaxPooling2D); the gradient goes to the maximum.</summary>
/// <param name="poolSize">Window (height, width), an int for both; 2×2 by default.</param>
/// <param name="strides">Step (down, across), an int for both; the window by default.</param>
/// <param name="padding">"valid" (no padding) or "same" (output ⌈in/stride⌉ per axis, padding not counted).</param>
/// <param name="inputShape">Per-sample input shape [h, w, c], for the first layer.</param>
/// <param name="name">Layer name; Keras-style by default.</param>
public sealed class MaxPooling2D(Size2D? poolSize = null, Size2D? strides = null, string padding = "valid", int[]? inputShape = null, string? name = null)
    : Pooling2D(poolSize ?? 2, strides, padding, inputShape, name), IConfigurableLayer
{
    private Tensor? _x, _y, _dx;
    private int[] _argmax = [];

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) =>
        new MaxPooling2D(c.Size("pool_size"), c.Size("strides"), c.String("padding"), c.InputShape, c.Name);

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        var y = Tensor.Ensure(ref _y, BatchedOutput(x.Shape[0]));
        if (_argmax.Length < y.Length) _argmax = new int[y.Length];
        PoolingKernels.MaxForward(x.Span, Geometry with { Batch = x.Shape[0] }, y.Span, _argmax);
        _x = training ? x : null;
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _x is null ? null : _y);
        if (!NeedsInputGradient) return NoGradient;
        var dx = Tensor.Ensure(ref _dx, _x!.Shape);
        PoolingKernels.MaxBackward(dy.Span, _argmax.AsSpan(0, dy.Length), dx.Span);
        return dx;
    }
}

/// <summary>The mean of each window over the cells inside the input (Keras's AveragePooling2D).</summary>
/// <param name="poolSize">Window (height, width), an int for both; 2×2 by default.</param>
/// <param name="strides">Step (down, across), an int for both; the window by default.</param>
/// <param name="padding">"valid" (no padding) or "same" (output ⌈in/stride⌉ per axis, padding not counted).</param>
/// <param name="inputShape">Per-sample input shape [h, w, c], for the first layer.</param>
/// <param name="name">Layer name; Keras-style by default.</param>
public sealed class AveragePooling2D(Size2D? poolSize = null, Size2D? strides = null, string padding = "valid", int[]? inputShape = null, string? name = null)
    : Pooling2D(poolSize ?? 2, strides, padding, inputShape, name), IConfigurableLayer
{
    private Tensor? _x, _y, _dx;

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) =>
        new AveragePooling2D(c.Size("pool_size"), c.Size("strides"), c.String("padding"), c.InputShape, c.Name);

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        var y = Tensor.Ensure(ref _y, BatchedOutput(x.Shape[0]));
        PoolingKernels.Average(x.Span, Geometry with { Batch = x.Shape[0] }, y.Span, backward: false);
        _x = training ? x : null;
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _x is null ? null : _y);
        if (!NeedsInputGradient) return NoGradient;
        var dx = Tensor.Ensure(ref _dx, _x!.Shape);
        PoolingKernels.Average(dy.Span, Geometry with { Batch = _x.Shape[0] }, dx.Span, backward: true);
        return dx;
    }
}
