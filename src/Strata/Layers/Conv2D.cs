using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// A 2-D convolution on NHWC inputs, as Keras's Conv2D: y = φ(x ⋆ W + b) with the kernel stored as Keras stores it,
/// [kh, kw, in, filters]. Computed as implicit GEMMs whose A operand is gathered from the tensors while it is packed
/// (<see cref="ConvKernels"/>), so no patch matrix is stored: forward Y = P·W, backward dW += Pᵀ·dZ (in fixed chunks of
/// pixels, partial sums added in order) and dX = Q·W' (each input pixel's gradient written once). Padding "valid" or "same" (TensorFlow's rule per axis: the odd pixel at
/// the end). Kernel size, strides and dilation are <see cref="Size2D"/> pairs (height, width); an int means both axes.
/// </summary>
public sealed class Conv2D : Layer, IConfigurableLayer
{
    private ConvGeometry _g;
    private Tensor? _x, _z, _y, _dz, _dx, _kernelByFilter, _partials;
    private Shape _outShape, _partialsShape;
    private int _outShapeFor = -1;

    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">Kernel (height, width); an int for a square kernel.</param>
    /// <param name="strides">Step of the window (down, across); an int for both.</param>
    /// <param name="padding">"valid" (no padding) or "same" (output ⌈in/stride⌉).</param>
    /// <param name="activation">φ; linear by default.</param>
    /// <param name="useBias">Whether to add b (not needed before BatchNormalization).</param>
    /// <param name="kernelInitializer">Default glorot_uniform, as in Keras.</param>
    /// <param name="biasInitializer">Default zeros.</param>
    /// <param name="dilationRate">Spacing of the kernel taps (down, across; atrous convolution).</param>
    /// <param name="inputShape">Per-sample input shape [h, w, c], for the first layer.</param>
    /// <param name="name">Layer name; by default conv2d, conv2d_1, …</param>
    public Conv2D(int filters, Size2D kernelSize, Size2D? strides = null, string padding = "valid", ActivationFunction? activation = null,
        bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null, Size2D? dilationRate = null,
        int[]? inputShape = null, string? name = null)
        : base(name, inputShape)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(filters);
        kernelSize.RequirePositive(nameof(kernelSize));
        var step = (strides ?? 1).RequirePositive(nameof(strides));
        var dilation = (dilationRate ?? 1).RequirePositive(nameof(dilationRate));
        if (padding is not ("valid" or "same"))
            throw new ArgumentException($"Padding must be \"valid\" or \"same\"; got \"{padding}\".", nameof(padding));
        // Keras refuses any stride ≠ 1 together with any dilation ≠ 1, even on different axes; so do we.
        if (!step.Is(1) && !dilation.Is(1))
            throw new ArgumentException($"Keras does not combine strides ≠ 1 ({step}) with a dilation rate ≠ 1 ({dilation}); neither do we.");
        Filters = filters;
        KernelSize = kernelSize;
        Strides = step;
        Padding = padding;
        DilationRate = dilation;
        Activation = activation ?? Activations.Linear;
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? Initializers.GlorotUniform;
        BiasInitializer = biasInitializer ?? Initializers.Zeros;
    }

    public int Filters { get; }
    public Size2D KernelSize { get; }
    public Size2D Strides { get; }
    public string Padding { get; }
    public Size2D DilationRate { get; }
    public ActivationFunction Activation { get; }
    public bool UseBias { get; }
    public Initializer KernelInitializer { get; }
    public Initializer BiasInitializer { get; }

    /// <summary>W: [kh, kw, in, filters].</summary>
    public Weight Kernel { get; private set; } = null!;

    /// <summary>b: [filters], or null without bias.</summary>
    public Weight? Bias { get; private set; }

    private int FieldSize => KernelSize.Height * KernelSize.Width * _g.Channels;

    internal override void WriteConfig(LayerConfigWriter config)
    {
        config.Int("filters", Filters);
        config.Size("kernel_size", KernelSize);
        config.Size("strides", Strides);
        config.String("padding", Padding);
        config.Size("dilation_rate", DilationRate);
        config.Activation("activation", Activation);
        config.Bool("use_bias", UseBias);
        config.Initializer("kernel_initializer", KernelInitializer);
        config.Initializer("bias_initializer", BiasInitializer);
    }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) =>
        new Conv2D(c.Int("filters", 1), c.Size("kernel_size"), c.Size("strides"), c.String("padding"), c.Activation("activation"),
            c.Bool("use_bias"), c.Initializer("kernel_initializer"), c.Initializer("bias_initializer"), c.Size("dilation_rate"), c.InputShape, c.Name);

    /// <summary>The same configuration, with or without a bias (folding BatchNormalization in needs one).</summary>
    internal Conv2D CloneConfiguration(bool useBias) =>
        new(Filters, KernelSize, Strides, Padding, Activation, useBias, KernelInitializer, BiasInitializer, DilationRate,
            DeclaredInputShape?.Dims.ToArray(), Name);

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        if (inputShape.Rank != 3 || inputShape.Size == 0)
            throw new ArgumentException($"Layer '{Name}' (Conv2D) needs inputs (None, height, width, channels); got {inputShape.ToBatchString()}.");
        bool same = Padding == "same";
        var (k, s, d) = (KernelSize, Strides, DilationRate);
        var (oh, ph) = ConvKernels.Axis(inputShape[0], k.Height, s.Height, d.Height, same);
        var (ow, pw) = ConvKernels.Axis(inputShape[1], k.Width, s.Width, d.Width, same);
        if (oh == 0 || ow == 0)
            throw new ArgumentException($"Layer '{Name}' (Conv2D): a {k} kernel (dilation {d}) does not fit input {inputShape.ToBatchString()} with \"valid\" padding.");
        _kernelByFilter = null;
        _g = new ConvGeometry(0, inputShape[0], inputShape[1], inputShape[2], k.Height, k.Width, s.Height, s.Width,
            d.Height, d.Width, oh, ow, ph, pw);
        Kernel = AddWeight("kernel", new Shape(k.Height, k.Width, inputShape[2], Filters), KernelInitializer, trainable: true, random);
        if (UseBias) Bias = AddWeight("bias", new Shape(Filters), BiasInitializer, trainable: true, random);
        return new Shape(oh, ow, Filters);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        int batch = x.Shape[0];
        if (batch != _outShapeFor)
        {
            _outShape = OutputShape.WithBatch(batch);
            _partialsShape = new Shape(checked((int)ConvKernels.GradientPartialLength(_g with { Batch = batch }, Filters)));
            _outShapeFor = batch;
        }
        var g = _g with { Batch = batch };
        int rows = batch * g.OutH * g.OutW;
        var y = Tensor.Ensure(ref _y, _outShape);
        var z = Activation.IsLinear ? y : Tensor.Ensure(ref _z, _outShape);
        ConvKernels.Forward(x.Span, Kernel.Value, g, Filters, z.Span);
        if (Bias is { } bias) BiasKernels.AddToRows(bias.Value, rows, z.Span);
        if (!Activation.IsLinear) Activation.Forward(z.Span, y.Span, rows, Filters);
        _x = training ? x : null;
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _x is null ? null : _y);
        var x = _x!;
        var g = _g with { Batch = x.Shape[0] };
        int rows = g.Batch * g.OutH * g.OutW;
        var dz = dy;
        if (!Activation.IsLinear)
        {
            dz = Tensor.Ensure(ref _dz, dy.Shape);
            Activation.Backward(_z!.Span, _y!.Span, dy.Span, dz.Span, rows, Filters);
        }
        if (Trainable)
        {
            // Partial sums per chunk of pixels; the buffer is kept, so it is allocated once per batch size.
            var partials = Tensor.Ensure(ref _partials, _partialsShape);
            ConvKernels.KernelGradient(x.Span, dz.Span, g, Filters, partials.Span, Kernel.Gradient);
            if (Bias is { } bias) BiasKernels.AccumulateRowSums(dz.Span, rows, bias.Gradient);
        }
        if (!NeedsInputGradient) return NoGradient;
        // W' = W with each tap's [c, filters] block transposed, the B operand of dX = Q·W'; rebuilt every pass (W changes).
        var kernelByFilter = _kernelByFilter ??= new Tensor(new Shape(FieldSize * Filters));
        ConvKernels.RearrangeKernel(Kernel.Value, g, Filters, kernelByFilter.Span);
        var dx = Tensor.Ensure(ref _dx, x.Shape);
        ConvKernels.InputGradient(dz.Span, kernelByFilter.Span, g, Filters, dx.Span);
        return dx;
    }
}
