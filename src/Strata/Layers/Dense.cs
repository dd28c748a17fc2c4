using System.Numerics.Tensors;
using Strata.Kernels;
using Strata.Kernels.MatMul;
using Strata.Kernels.Parallel;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// A fully connected layer: y = φ(x·W + b), with W (<c>kernel</c>) of shape [inputs, units] as Keras stores it.
/// On inputs of rank above 2 it acts on the last axis, like Keras.
/// </summary>
public sealed class Dense : Layer, ILogitsOutput, IConfigurableLayer
{
    private Tensor? _x, _z, _y, _dz, _dx;
    private Tensor? _xParts, _zParts, _dxParts; // per-part blocks when W's rows are split across threads
    private int _parts = 1;

    /// <param name="units">Number of outputs.</param>
    /// <param name="activation">φ; linear by default.</param>
    /// <param name="useBias">Whether to add b. A Dense followed by BatchNormalization does not need it.</param>
    /// <param name="kernelInitializer">Default glorot_uniform, as in Keras.</param>
    /// <param name="biasInitializer">Default zeros.</param>
    /// <param name="inputShape">Per-sample input shape, for the first layer.</param>
    /// <param name="name">Layer name; by default dense, dense_1, …</param>
    public Dense(int units, ActivationFunction? activation = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
        int[]? inputShape = null, string? name = null)
        : base(name, inputShape)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        Units = units;
        Activation = activation ?? Activations.Linear;
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? Initializers.GlorotUniform;
        BiasInitializer = biasInitializer ?? Initializers.Zeros;
    }

    public int Units { get; }
    public ActivationFunction Activation { get; }
    public bool UseBias { get; }
    public Initializer KernelInitializer { get; }
    public Initializer BiasInitializer { get; }

    /// <summary>W: [inputs, units].</summary>
    public Weight Kernel { get; private set; } = null!;

    /// <summary>b: [units], or null without bias.</summary>
    public Weight? Bias { get; private set; }

    private int Inputs => Kernel.Shape[0];

    internal override void WriteConfig(LayerConfigWriter config)
    {
        config.Int("units", Units);
        config.Activation("activation", Activation);
        config.Bool("use_bias", UseBias);
        config.Initializer("kernel_initializer", KernelInitializer);
        config.Initializer("bias_initializer", BiasInitializer);
    }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) =>
        new Dense(c.Int("units", 1), c.Activation("activation"), c.Bool("use_bias"), c.Initializer("kernel_initializer"),
            c.Initializer("bias_initializer"), c.InputShape, c.Name);

    /// <summary>The same configuration, with or without a bias (folding BatchNormalization in needs one).</summary>
    internal Dense CloneConfiguration(bool useBias) =>
        new(Units, Activation, useBias, KernelInitializer, BiasInitializer, DeclaredInputShape?.Dims.ToArray(), Name);

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        if (inputShape.Rank < 1 || inputShape[^1] == 0)
            throw new ArgumentException($"Layer '{Name}' (Dense) needs inputs with a non-empty last axis; got {inputShape.ToBatchString()}.");
        Kernel = AddWeight("kernel", new Shape(inputShape[^1], Units), KernelInitializer, trainable: true, random);
        if (UseBias) Bias = AddWeight("bias", new Shape(Units), BiasInitializer, trainable: true, random);
        var output = inputShape.Dims.ToArray();
        output[^1] = Units;
        return new Shape(output);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        int rows = x.Length / Inputs;
        Shape outShape = BatchShape(x.Shape);
        var y = Tensor.Ensure(ref _y, outShape);
        var z = Activation.IsLinear ? y : Tensor.Ensure(ref _z, outShape);

        _parts = RowPartition.Parts(Kernel.Size, Inputs);
        if (_parts > 1)
        {
            // W's rows are split across threads: each computes x[:, k_p]·W[k_p, :]; the parts are summed in order.
            var xParts = Tensor.Ensure(ref _xParts, x.Shape);
            var zParts = Tensor.Ensure(ref _zParts, PartsShape(rows));
            RowPartitionedGemm.Forward(x.Span, Kernel.Value, rows, Inputs, Units, _parts, xParts.Span, zParts.Span);
            int size = rows * Units;
            zParts.Span[..size].CopyTo(z.Span);
            for (int p = 1; p < _parts; p++) TensorPrimitives.Add(z.Span, zParts.Span.Slice(p * size, size), z.Span);
        }
        else
        {
            Gemm.NN(x.Span, Kernel.Value, rows, Inputs, Units, 0f, z.Span);
        }
        if (Bias is { } bias) BiasKernels.AddToRows(bias.Value, rows, z.Span); // z = x·W + b
        if (!Activation.IsLinear) Activation.Forward(z.Span, y.Span, rows, Units);
        _x = training ? x : null;
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _x is null ? null : _y);
        if (Activation.IsLinear) return BackwardLinear(dy);
        var dz = Tensor.Ensure(ref _dz, dy.Shape);
        int rows = dy.Length / Units;
        Activation.Backward(_z!.Span, _y!.Span, dy.Span, dz.Span, rows, Units);
        return BackwardLinear(dz);
    }

    ActivationFunction ILogitsOutput.OutputActivation => Activation;

    Tensor ILogitsOutput.Logits => _z ?? throw new InvalidOperationException($"Layer '{Name}' has no logits before Forward.");

    Tensor ILogitsOutput.BackwardFromLogits(Tensor dLogits)
    {
        CheckGradient(dLogits, _x is null ? null : _y);
        return BackwardLinear(dLogits);
    }

    /// <summary>Backward from dL/dz, z = x·W + b: dW += xᵀ·dz, db += Σ_rows dz, dX = dz·Wᵀ.</summary>
    private Tensor BackwardLinear(Tensor dz)
    {
        var x = _x ?? throw new InvalidOperationException($"Layer '{Name}': Backward needs a Forward with training: true first.");
        int rows = dz.Length / Units;
        if (Trainable)
        {
            if (_parts > 1)
                RowPartitionedGemm.WeightGradient(_xParts!.Span, dz.Span, rows, Inputs, Units, _parts, Kernel.Gradient);
            else
                Gemm.TN(x.Span, dz.Span, Inputs, rows, Units, 1f, Kernel.Gradient);
            if (Bias is { } bias) BiasKernels.AccumulateRowSums(dz.Span, rows, bias.Gradient);
        }
        if (!NeedsInputGradient) return NoGradient;
        var dx = Tensor.Ensure(ref _dx, x.Shape);
        if (_parts > 1)
            RowPartitionedGemm.InputGradient(dz.Span, Kernel.Value, rows, Inputs, Units, _parts, Tensor.Ensure(ref _dxParts, x.Shape).Span, dx.Span);
        else
            Gemm.NT(dz.Span, Kernel.Value, rows, Units, Inputs, 0f, dx.Span);
        return dx;
    }

    private Shape _outShape;
    private Shape _outShapeFor;
    private Shape _partsShape;

    /// <summary>[parts·rows·units] for the per-part forward products, cached like the output shape.</summary>
    private Shape PartsShape(int rows)
    {
        if (_partsShape.Rank == 0 || _partsShape[0] != _parts * rows * Units) _partsShape = new Shape(_parts * rows * Units);
        return _partsShape;
    }

    /// <summary>The batched output shape for an input shape, cached so steady-state steps allocate nothing.</summary>
    private Shape BatchShape(Shape input)
    {
        if (input != _outShapeFor)
        {
            var dims = input.Dims.ToArray();
            dims[^1] = Units;
            _outShape = new Shape(dims);
            _outShapeFor = input;
        }
        return _outShape;
    }
}
