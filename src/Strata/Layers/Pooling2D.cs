using Strata.Kernels;

namespace Strata.Layers;

/// <summary>The shared geometry of MaxPooling2D and AveragePooling2D: window, strides (default: the window) and padding.</summary>
public abstract class Pooling2D : Layer
{
    private protected ConvGeometry Geometry;
    private Shape _outShape;
    private int _outShapeFor = -1;

    private protected Pooling2D(int poolSize, int? strides, string padding, int[]? inputShape, string? name) : base(name, inputShape)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(poolSize);
        if (strides is <= 0) throw new ArgumentOutOfRangeException(nameof(strides), strides, "Strides must be positive.");
        if (padding is not ("valid" or "same"))
            throw new ArgumentException($"Padding must be \"valid\" or \"same\"; got \"{padding}\".", nameof(padding));
        PoolSize = poolSize;
        Strides = strides ?? poolSize;
        Padding = padding;
    }

    public int PoolSize { get; }
    public int Strides { get; }
    public string Padding { get; }

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        if (inputShape.Rank != 3 || inputShape.Size == 0)
            throw new ArgumentException($"Layer '{Name}' ({TypeName}) needs inputs (None, height, width, channels); got {inputShape.ToBatchString()}.");
        bool same = Padding == "same";
        var (oh, ph) = ConvKernels.Axis(inputShape[0], PoolSize, Strides, 1, same);
        var (ow, pw) = ConvKernels.Axis(inputShape[1], PoolSize, Strides, 1, same);
        if (oh == 0 || ow == 0)
            throw new ArgumentException($"Layer '{Name}' ({TypeName}): a {PoolSize}×{PoolSize} window does not fit input {inputShape.ToBatchString()}.");
        Geometry = new ConvGeometry(0, inputShape[0], inputShape[1], inputShape[2], PoolSize, PoolSize, Strides, Strides, 1, 1, oh, ow, ph, pw);
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
public sealed class MaxPooling2D(int poolSize = 2, int? strides = null, string padding = "valid", int[]? inputShape = null, string? name = null)
    : Pooling2D(poolSize, strides, padding, inputShape, name)
{
    private Tensor? _x, _y, _dx;
    private int[] _argmax = [];

    internal override Layer CloneConfiguration() => new MaxPooling2D(PoolSize, Strides, Padding, DeclaredInputShape?.Dims.ToArray(), Name);

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
public sealed class AveragePooling2D(int poolSize = 2, int? strides = null, string padding = "valid", int[]? inputShape = null, string? name = null)
    : Pooling2D(poolSize, strides, padding, inputShape, name)
{
    private Tensor? _x, _y, _dx;

    internal override Layer CloneConfiguration() => new AveragePooling2D(PoolSize, Strides, Padding, DeclaredInputShape?.Dims.ToArray(), Name);

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
