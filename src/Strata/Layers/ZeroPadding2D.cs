using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Pads each image with zeros above, below, left and right (Keras's ZeroPadding2D, channels last):
/// [N, H, W, C] → [N, top + H + bottom, left + W + right, C], y[n, top + i, left + j, c] = x[n, i, j, c] and 0 elsewhere.
/// It is PyTorch's <c>F.pad(x, (left, right, top, bottom))</c> on the NCHW tensor, with non-negative pads only. The
/// gradient is dY cropped back to the input's cells: the padded zeros are constants. ResNet pads explicitly
/// (3 before its 7×7 stride-2 stem, 1 before the 3×3 max-pool) so that the windows fall as in the original network,
/// centred, where "same" would put TensorFlow's odd pixel at the end.
/// </summary>
public sealed class ZeroPadding2D : Layer, IConfigurableLayer
{
    private Tensor? _y, _dx;
    private Shape _outShape, _inShape;
    private int _outShapeFor = -1;
    private bool _trained;

    /// <summary>The same padding on every side of each axis, as Keras's <c>padding=1</c> or <c>padding=(1, 2)</c>.</summary>
    /// <param name="padding">Rows above and below (Height) and columns left and right (Width); an int for both; (1, 1) by default.</param>
    /// <param name="inputShape">Per-sample input shape [h, w, c], for the first layer.</param>
    /// <param name="name">Layer name; by default zero_padding2d, zero_padding2d_1, …</param>
    public ZeroPadding2D(Size2D? padding = null, int[]? inputShape = null, string? name = null)
        : this(((padding ?? 1).Height, (padding ?? 1).Height), ((padding ?? 1).Width, (padding ?? 1).Width), inputShape, name) { }

    /// <summary>Each side on its own, as Keras's <c>padding=((top, bottom), (left, right))</c>.</summary>
    /// <param name="rows">Rows of zeros above and below.</param>
    /// <param name="columns">Columns of zeros left and right.</param>
    /// <param name="inputShape">Per-sample input shape [h, w, c], for the first layer.</param>
    /// <param name="name">Layer name; by default zero_padding2d, zero_padding2d_1, …</param>
    /// <exception cref="ArgumentOutOfRangeException">A padding is negative.</exception>
    public ZeroPadding2D((int Top, int Bottom) rows, (int Left, int Right) columns, int[]? inputShape = null, string? name = null)
        : base(name, inputShape)
    {
        if (rows.Top < 0 || rows.Bottom < 0 || columns.Left < 0 || columns.Right < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), $"ZeroPadding2D pads by ((top, bottom), (left, right)) ≥ 0; got (({rows.Top}, {rows.Bottom}), ({columns.Left}, {columns.Right})).");
        (Top, Bottom, Left, Right) = (rows.Top, rows.Bottom, columns.Left, columns.Right);
    }

    /// <summary>Rows of zeros above each image.</summary>
    public int Top { get; }

    /// <summary>Rows of zeros below each image.</summary>
    public int Bottom { get; }

    /// <summary>Columns of zeros left of each image.</summary>
    public int Left { get; }

    /// <summary>Columns of zeros right of each image.</summary>
    public int Right { get; }

    /// <summary>Keras's <c>padding: [[top, bottom], [left, right]]</c>.</summary>
    internal override void WriteConfig(LayerConfigWriter config) => config.Pairs("padding", (Top, Bottom), (Left, Right));

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c)
    {
        var (rows, columns) = c.Pairs("padding", 0, 1 << 16);
        return new ZeroPadding2D(rows, columns, c.InputShape, c.Name);
    }

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        if (inputShape.Rank != 3)
            throw new ArgumentException($"Layer '{Name}' (ZeroPadding2D) needs inputs (None, height, width, channels); got {inputShape.ToBatchString()}.");
        return new Shape(Top + inputShape[0] + Bottom, Left + inputShape[1] + Right, inputShape[2]);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        int batch = x.Shape[0];
        if (batch != _outShapeFor)
        {
            _outShape = OutputShape.WithBatch(batch);
            _inShape = x.Shape;
            _outShapeFor = batch;
        }
        var y = Tensor.Ensure(ref _y, _outShape);
        PaddingKernels.ZeroPad(x.Span, batch, InputShape[0], InputShape[1], InputShape[2], Top, Bottom, Left, Right, y.Span);
        _trained = training;
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _trained ? _y : null);
        if (!NeedsInputGradient) return NoGradient;
        var dx = Tensor.Ensure(ref _dx, _inShape);
        PaddingKernels.Crop(dy.Span, dy.Shape[0], InputShape[0], InputShape[1], InputShape[2], Top, Bottom, Left, Right, dx.Span);
        return dx;
    }
}
