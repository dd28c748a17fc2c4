using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// What <see cref="LayerNormalization"/> and <see cref="GroupNormalization"/> share: each sample is normalized with
/// its own statistics, never the batch's, so training and inference compute the same thing, any batch size (one
/// included) works, and nothing is tracked between batches. The subclass says how one sample divides into groups;
/// each group is normalized over its M values, y = γ·(x − μ)/√(σ² + ε) + β, with μ and the biased σ² of the group
/// and γ, β per channel (see <see cref="GroupNormKernels"/> for the passes and the backward formula).
/// Weights, in Keras's order: <c>gamma</c> (with <see cref="Scale"/>) and <c>beta</c> (with <see cref="Center"/>).
/// </summary>
public abstract class PerSampleNormalization : Layer
{
    private int _rowsPerSample, _positions, _groups, _groupSize;
    private Tensor? _xHat, _y, _dx;
    private float[] _ones = [], _zeros = [], _invStd = [], _sumDy = [], _sumDyXHat = [];
    private double[] _accumulator = [];
    private bool _readyForBackward;

    private protected PerSampleNormalization(float epsilon, bool center, bool scale, Initializer? betaInitializer,
        Initializer? gammaInitializer, int[]? inputShape, string? name)
        : base(name, inputShape)
    {
        if (!(epsilon > 0) || !float.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"{GetType().Name}: epsilon must be positive and finite.");
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
        BetaInitializer = betaInitializer ?? Initializers.Zeros;
        GammaInitializer = gammaInitializer ?? Initializers.Ones;
    }

    /// <summary>Added to the variance under the square root (Keras's 1e-3; PyTorch's LayerNorm and GroupNorm use 1e-5).</summary>
    public float Epsilon { get; }

    /// <summary>Learn an offset β.</summary>
    public bool Center { get; }

    /// <summary>Learn a scale γ.</summary>
    public bool Scale { get; }

    /// <summary>β's initializer; zeros by default.</summary>
    public Initializer BetaInitializer { get; }

    /// <summary>γ's initializer; ones by default.</summary>
    public Initializer GammaInitializer { get; }

    /// <summary>The settings LayerNormalization and GroupNormalization share, after their axes.</summary>
    internal override void WriteConfig(LayerConfigWriter config)
    {
        config.Float("epsilon", Epsilon);
        config.Bool("center", Center);
        config.Bool("scale", Scale);
        config.Initializer("beta_initializer", BetaInitializer);
        config.Initializer("gamma_initializer", GammaInitializer);
    }

    /// <summary>γ, or null without <see cref="Scale"/>.</summary>
    public Weight? Gamma { get; private set; }

    /// <summary>β, or null without <see cref="Center"/>.</summary>
    public Weight? Beta { get; private set; }

    /// <summary>
    /// How one sample of <paramref name="inputShape"/> divides: γ and β have the shape <c>Parameters</c> (C values, the
    /// channels), the sample holds <c>Rows</c> independent rows of <c>Positions</c>·C values each, and the C channels of a
    /// row form <c>Groups</c> groups of adjacent channels. Throws with the layer's name and the shape if it cannot.
    /// </summary>
    private protected abstract (Shape Parameters, int Rows, int Positions, int Groups) Layout(Shape inputShape);

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        var (parameters, rows, positions, groups) = Layout(inputShape);
        int channels = parameters.Size;
        if (channels == 0 || rows == 0 || positions == 0)
            throw new ArgumentException($"Layer '{Name}' ({TypeName}): input {inputShape.ToBatchString()} has nothing to normalize.");
        (_rowsPerSample, _positions, _groups, _groupSize) = (rows, positions, groups, channels / groups);
        if (Scale) Gamma = AddWeight("gamma", parameters, GammaInitializer, trainable: true, random);
        if (Center) Beta = AddWeight("beta", parameters, BetaInitializer, trainable: true, random);
        _ones = new float[channels];
        Array.Fill(_ones, 1f);
        (_zeros, _sumDy, _sumDyXHat) = (new float[channels], new float[channels], new float[channels]);
        return inputShape;
    }

    /// <summary>Once built, one sample's layout: Rows × Positions × Groups × GroupSize values, normalized per row and group.</summary>
    internal (int Rows, int Positions, int Groups, int GroupSize) SampleLayout => (_rowsPerSample, _positions, _groups, _groupSize);

    private ReadOnlySpan<float> GammaValues => Gamma is null ? _ones : Gamma.Value;
    private ReadOnlySpan<float> BetaValues => Beta is null ? _zeros : Beta.Value;

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        int samples = x.Shape[0] * _rowsPerSample;
        var y = Tensor.Ensure(ref _y, x.Shape);
        if (_invStd.Length < samples * _groups) _invStd = new float[samples * _groups];
        var xHat = training ? Tensor.Ensure(ref _xHat, x.Shape).Span : default;
        GroupNormKernels.Forward(x.Span, samples, _positions, _groups, _groupSize, GammaValues, BetaValues, Epsilon,
            _invStd.AsSpan(0, samples * _groups), xHat, y.Span);
        _readyForBackward = training;
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _readyForBackward ? _y : null);
        var xHat = _xHat!;
        int samples = dy.Shape[0] * _rowsPerSample, channels = _groups * _groupSize, rows = samples * _positions;
        if (Trainable && (Gamma is not null || Beta is not null))
        {
            // dγ += Σ dy·x̂ and dβ += Σ dy over every row: BatchNorm's column sums, with x̂ for x and a zero mean.
            int scratch = BatchNormKernels.ScratchLength(rows, channels, 1);
            if (_accumulator.Length < scratch) _accumulator = new double[scratch];
            BatchNormKernels.BackwardSums(xHat.Span, dy.Span, _zeros, rows, channels, 1, _accumulator, _sumDy, _sumDyXHat);
            BatchNormChannelKernels.ParameterGradients(_sumDy, _sumDyXHat, _ones, [], [],
                Gamma is { } gamma ? gamma.Gradient : [], Beta is { } beta ? beta.Gradient : []);
        }
        if (!NeedsInputGradient) return NoGradient;
        var dx = Tensor.Ensure(ref _dx, dy.Shape);
        GroupNormKernels.BackwardInput(xHat.Span, dy.Span, samples, _positions, _groups, _groupSize, GammaValues,
            _invStd.AsSpan(0, samples * _groups), dx.Span);
        return dx;
    }
}
