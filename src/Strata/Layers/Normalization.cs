using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Standardizes features with statistics of the training data, as Keras's <c>Normalization</c>:
/// y = (x − μ)/max(√σ², ε) with ε = 1e-7, μ and σ² fixed (never trained) and saved with the model, so a model that
/// starts with it takes raw inputs in Predict and after loading. The statistics come from <see cref="Adapt"/> (the
/// mean and the population variance of the data, Keras's <c>adapt</c>) or from the constructor.
/// </summary>
/// <remarks>
/// <c>axis</c> keeps one statistic per index of that axis (−1: per feature of the last axis, per channel
/// of an image); null keeps one scalar for every element. With <c>invert</c> the layer undoes a standardization,
/// y = x·max(√σ², ε) + μ (to map a standardized regression target back). Training and inference compute the same.
/// Weights, as Keras's: <c>mean</c> and <c>variance</c> (one per kept index) and the scalar <c>count</c> of samples
/// adapted on, all non-trainable.
/// </remarks>
public sealed class Normalization : Layer, IConfigurableLayer
{
    /// <summary>Keras's backend epsilon, the floor of the standard deviation.</summary>
    public const float Epsilon = 1e-7f;

    private readonly float[]? _initialMean, _initialVariance;
    private int _outerPerSample, _channels, _inner;
    private float[] _scale = [], _shift = [], _zeros = [];
    private Tensor? _y, _dx;

    /// <param name="axis">The axis with its own statistics (−1 the last; an index counts the batch as 0), or null for one scalar.</param>
    /// <param name="mean">Fixed means instead of <see cref="Adapt"/>: one value (broadcast) or one per kept index.</param>
    /// <param name="variance">Fixed variances, given with <paramref name="mean"/>.</param>
    /// <param name="invert">Undo a standardization instead of applying it.</param>
    /// <param name="inputShape">Per-sample input shape, for the first layer.</param>
    /// <param name="name">Layer name; by default normalization, normalization_1, …</param>
    public Normalization(int? axis = -1, float[]? mean = null, float[]? variance = null, bool invert = false,
        int[]? inputShape = null, string? name = null) : base(name, inputShape)
    {
        if ((mean is null) != (variance is null))
            throw new ArgumentException("Normalization takes both mean and variance, or neither (then Adapt computes them).");
        if (variance is not null && variance.Any(v => !(v >= 0) || float.IsInfinity(v)))
            throw new ArgumentException("Normalization: every variance must be finite and non-negative.", nameof(variance));
        if (mean is not null && mean.Any(m => !float.IsFinite(m)))
            throw new ArgumentException("Normalization: every mean must be finite.", nameof(mean));
        if (axis == 0) throw new ArgumentException("Normalization: axis 0 is the batch; statistics are kept per feature.", nameof(axis));
        Axis = axis;
        Invert = invert;
        _initialMean = (float[]?)mean?.Clone();
        _initialVariance = (float[]?)variance?.Clone();
    }

    /// <summary>The axis with its own statistics, or null for one scalar.</summary>
    public int? Axis { get; }

    /// <summary>True when the layer undoes a standardization.</summary>
    public bool Invert { get; }

    /// <summary>The fixed means given to the constructor, or null when the layer is adapted.</summary>
    public IReadOnlyList<float>? GivenMean => _initialMean;

    /// <summary>The fixed variances given to the constructor, or null when the layer is adapted.</summary>
    public IReadOnlyList<float>? GivenVariance => _initialVariance;

    /// <summary>The mean of each kept index.</summary>
    public Weight Mean { get; private set; } = null!;

    /// <summary>The population variance of each kept index.</summary>
    public Weight Variance { get; private set; } = null!;

    /// <summary>The number of samples the statistics were adapted on (0 before <see cref="Adapt"/> and for fixed statistics).</summary>
    public Weight Count { get; private set; } = null!;

    /// <summary>True once the statistics came from <see cref="Adapt"/> or the constructor, rather than the 0 and 1 a fresh layer holds.</summary>
    public bool HasStatistics => _initialMean is not null || Count.Value[0] > 0;

    internal override void WriteConfig(LayerConfigWriter config)
    {
        config.OptionalInt("axis", Axis);
        config.Floats("mean", GivenMean);
        config.Floats("variance", GivenVariance);
        config.Bool("invert", Invert);
    }

    /// <summary>The most fixed statistics a configuration may list (one per feature).</summary>
    private const int MaxStatistics = 1 << 20;

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) =>
        new Normalization(c.OptionalInt("axis", -64, 64), c.OptionalFloatArray("mean", MaxStatistics),
            c.OptionalFloatArray("variance", MaxStatistics), c.Bool("invert"), c.InputShape, c.Name);

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        var dims = inputShape.Dims;
        if (Axis is int axis)
        {
            int a = axis < 0 ? axis + dims.Length + 1 : axis; // with the batch axis
            if (a < 1 || a > dims.Length)
                throw new ArgumentException($"Layer '{Name}' (Normalization): axis {axis} is out of range for input {inputShape.ToBatchString()}; axis 0 is the batch.");
            _outerPerSample = 1;
            for (int i = 0; i < a - 1; i++) _outerPerSample *= dims[i];
            _channels = dims[a - 1];
            _inner = 1;
            for (int i = a; i < dims.Length; i++) _inner *= dims[i];
        }
        else
        {
            (_outerPerSample, _channels, _inner) = (inputShape.Size, 1, 1);
        }
        var shape = Axis is null ? new Shape(1) : new Shape(_channels);
        Mean = AddWeight("mean", shape, Initializers.Zeros, trainable: false, random);
        Variance = AddWeight("variance", shape, Initializers.Ones, trainable: false, random);
        Count = AddWeight("count", new Shape(), Initializers.Zeros, trainable: false, random);
        if (FillsNewWeights) FillGivenStatistics();
        (_scale, _shift, _zeros) = (new float[_channels], new float[_channels], new float[_channels]);
        return inputShape;
    }

    /// <summary>
    /// Sets the mean and the population variance of every kept index from <paramref name="data"/> [n, …] (the training
    /// inputs), as Keras's <c>adapt</c>; builds the layer from the data's shape if needed. Fixed statistics cannot be adapted.
    /// </summary>
    public void Adapt(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (_initialMean is not null)
            throw new InvalidOperationException($"Layer '{Name}' (Normalization) was given its mean and variance; it cannot be adapted.");
        if (data.Shape.Rank < 2 || data.Shape[0] == 0)
            throw new ArgumentException($"Layer '{Name}' (Normalization) adapts on a non-empty batch [n, …]; got {data.Shape}.", nameof(data));
        if (!IsBuilt) Build(data.Shape.WithoutBatch());
        CheckInput(data);
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(data.Span))
            throw new ArgumentException($"Layer '{Name}' (Normalization): the data to adapt on holds NaN or infinite values.", nameof(data));
        int outer = data.Shape[0] * _outerPerSample;
        var accumulator = new double[BatchNormKernels.ScratchLength(outer, _channels, _inner)];
        BatchNormKernels.Moments(data.Span, outer, _channels, _inner, accumulator, Mean.Value, Variance.Value);
        Count.Value[0] = data.Shape[0];
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        BatchNormChannelKernels.StandardizationForm(Mean.Value, Variance.Value, Epsilon, Invert, _scale, _shift);
        var y = Tensor.Ensure(ref _y, x.Shape);
        BatchNormKernels.Affine(x.Span, _scale, _shift, x.Shape[0] * _outerPerSample, _channels, _inner, y.Span);
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _y);
        if (!NeedsInputGradient) return NoGradient;
        // y = x·scale + shift, so dL/dx = dL/dy·scale.
        var dx = Tensor.Ensure(ref _dx, dy.Shape);
        BatchNormKernels.Affine(dy.Span, _scale, _zeros, dy.Shape[0] * _outerPerSample, _channels, _inner, dx.Span);
        return dx;
    }

    internal override void Reinitialize(Random random)
    {
        base.Reinitialize(random); // mean 0, variance 1, count 0
        FillGivenStatistics();
    }

    private void FillGivenStatistics()
    {
        if (_initialMean is null) return;
        Fill(_initialMean, Mean.Value, "mean");
        Fill(_initialVariance!, Variance.Value, "variance");
    }

    private void Fill(float[] given, Span<float> weight, string what)
    {
        if (given.Length == 1) weight.Fill(given[0]);
        else if (given.Length == weight.Length) given.CopyTo(weight);
        else
            throw new ArgumentException($"Layer '{Name}' (Normalization): {given.Length} {what} values given for {weight.Length} features of input {InputShape.ToBatchString()}; give one, or one per feature.");
    }
}
