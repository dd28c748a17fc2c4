using Strata.Kernels;

namespace Strata.Layers;

/// <summary>
/// Batch Normalization (Ioffe &amp; Szegedy 2015) with Keras's semantics. Each feature along
/// <see cref="Axis"/> is normalized over every other axis (the batch, and height and width after Conv2D):
/// <c>y = γ·(x − μ)/√(σ² + ε) + β</c>.
/// <list type="bullet">
/// <item>Training (Fit, <c>training: true</c>): μ and σ² are the batch mean and BIASED variance, and the
/// moving statistics follow <c>moving ← moving·momentum + batch·(1 − momentum)</c>.</item>
/// <item>Inference (Evaluate, Predict, <c>training: false</c>): the moving statistics, folded into
/// <c>y = x·a + b</c> per feature.</item>
/// <item><see cref="Layer.Trainable"/> = false: inference mode even when training, and no updates.</item>
/// </list>
/// Weights, in Keras's order: <c>gamma</c> (with <see cref="Scale"/>), <c>beta</c> (with <see cref="Center"/>),
/// <c>moving_mean</c> and <c>moving_variance</c> (never trainable): 4 parameters per feature, 2 non-trainable.
/// </summary>
public sealed class BatchNormalization : Layer
{
    private readonly int[] _axes;
    private int _outerPerSample, _channels, _inner;
    private Tensor? _x, _y, _dx;
    private bool _batchMode, _readyForBackward;
    private float[] _ones = [], _zeros = [], _mean = [], _variance = [], _invStd = [], _scale = [], _shift = [];
    // The moving statistics before the last training pass (mean, then variance), restored if its step is abandoned.
    private float[] _movingBefore = [];
    private bool _canAbandon;
    private float[] _sumDy = [], _sumDyXc = [], _k = [], _m = [], _b = [];
    private double[] _accumulator = [];

    /// <param name="axis">The feature axis of the batched input; −1 (the last, channels) by default. Axis 0 is the batch.</param>
    /// <param name="momentum">Keep-rate of the moving statistics (Keras's convention; PyTorch's momentum is 1 − this).</param>
    /// <param name="epsilon">Added to the variance under the square root (Keras's 1e-3; PyTorch uses 1e-5).</param>
    /// <param name="center">Learn an offset β.</param>
    /// <param name="scale">Learn a scale γ.</param>
    /// <param name="betaInitializer">Default zeros.</param>
    /// <param name="gammaInitializer">Default ones.</param>
    /// <param name="movingMeanInitializer">Default zeros.</param>
    /// <param name="movingVarianceInitializer">Default ones.</param>
    /// <param name="inputShape">Per-sample input shape, for the first layer.</param>
    /// <param name="name">Layer name; by default batch_normalization, batch_normalization_1, …</param>
    public BatchNormalization(int axis = -1, float momentum = 0.99f, float epsilon = 1e-3f, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null,
        Initializer? movingMeanInitializer = null, Initializer? movingVarianceInitializer = null,
        int[]? inputShape = null, string? name = null)
        : this([axis], momentum, epsilon, center, scale, betaInitializer, gammaInitializer, movingMeanInitializer,
            movingVarianceInitializer, inputShape, name)
    {
    }

    /// <summary>Normalizes each combination of several contiguous axes separately, like tf.keras's <c>axis=[1, 2]</c>.</summary>
    public BatchNormalization(int[] axes, float momentum = 0.99f, float epsilon = 1e-3f, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null,
        Initializer? movingMeanInitializer = null, Initializer? movingVarianceInitializer = null,
        int[]? inputShape = null, string? name = null)
        : base(name, inputShape)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length == 0) throw new ArgumentException("BatchNormalization needs at least one feature axis.", nameof(axes));
        if (!(momentum >= 0 && momentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1].");
        if (!(epsilon > 0) || !float.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be positive and finite.");
        _axes = (int[])axes.Clone();
        Momentum = momentum;
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
        BetaInitializer = betaInitializer ?? Initializers.Zeros;
        GammaInitializer = gammaInitializer ?? Initializers.Ones;
        MovingMeanInitializer = movingMeanInitializer ?? Initializers.Zeros;
        MovingVarianceInitializer = movingVarianceInitializer ?? Initializers.Ones;
    }

    /// <summary>The feature axes as given (negative counts from the end of the batched shape).</summary>
    public IReadOnlyList<int> Axis => _axes;
    public float Momentum { get; }
    public float Epsilon { get; }
    public bool Center { get; }
    public bool Scale { get; }
    public Initializer BetaInitializer { get; }
    public Initializer GammaInitializer { get; }
    public Initializer MovingMeanInitializer { get; }
    public Initializer MovingVarianceInitializer { get; }

    /// <summary>γ, or null without <see cref="Scale"/>.</summary>
    public Weight? Gamma { get; private set; }

    /// <summary>β, or null without <see cref="Center"/>.</summary>
    public Weight? Beta { get; private set; }

    /// <summary>The moving mean used at inference.</summary>
    public Weight MovingMean { get; private set; } = null!;

    /// <summary>The moving (biased) variance used at inference.</summary>
    public Weight MovingVariance { get; private set; } = null!;

    internal override Layer CloneConfiguration() =>
        new BatchNormalization(_axes, Momentum, Epsilon, Center, Scale, BetaInitializer, GammaInitializer,
            MovingMeanInitializer, MovingVarianceInitializer, DeclaredInputShape?.Dims.ToArray(), Name);

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        int rank = inputShape.Rank + 1; // with the batch axis
        var axes = _axes.Select(a => a < 0 ? a + rank : a).Order().ToArray();
        foreach (int a in axes)
        {
            if (a == 0 || a >= rank || a < 0)
                throw new ArgumentException($"Layer '{Name}' (BatchNormalization): axis {string.Join(", ", _axes)} is out of range for input {inputShape.ToBatchString()}; axis 0 is the batch.");
        }
        for (int i = 1; i < axes.Length; i++)
        {
            if (axes[i] != axes[i - 1] + 1)
                throw new ArgumentException($"Layer '{Name}' (BatchNormalization): the feature axes [{string.Join(", ", _axes)}] must be adjacent and distinct.");
        }
        var dims = inputShape.Dims;
        int first = axes[0] - 1, last = axes[^1] - 1; // per-sample indices
        _outerPerSample = 1;
        for (int i = 0; i < first; i++) _outerPerSample *= dims[i];
        var featureDims = dims[first..(last + 1)].ToArray();
        _channels = featureDims.Aggregate(1, (p, d) => p * d);
        _inner = 1;
        for (int i = last + 1; i < dims.Length; i++) _inner *= dims[i];
        if (_channels == 0) throw new ArgumentException($"Layer '{Name}' (BatchNormalization): no features along axis in {inputShape.ToBatchString()}.");

        var shape = new Shape(featureDims);
        if (Scale) Gamma = AddWeight("gamma", shape, GammaInitializer, trainable: true, random);
        if (Center) Beta = AddWeight("beta", shape, BetaInitializer, trainable: true, random);
        MovingMean = AddWeight("moving_mean", shape, MovingMeanInitializer, trainable: false, random);
        MovingVariance = AddWeight("moving_variance", shape, MovingVarianceInitializer, trainable: false, random);

        int c = _channels;
        _ones = new float[c];
        Array.Fill(_ones, 1f);
        _zeros = new float[c];
        (_mean, _variance, _invStd, _scale, _shift) = (new float[c], new float[c], new float[c], new float[c], new float[c]);
        _movingBefore = new float[2 * c];
        (_sumDy, _sumDyXc, _k, _m, _b) = (new float[c], new float[c], new float[c], new float[c], new float[c]);
        return inputShape;
    }

    private ReadOnlySpan<float> GammaValues => Gamma is null ? _ones : Gamma.Value;
    private ReadOnlySpan<float> BetaValues => Beta is null ? _zeros : Beta.Value;

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        int outer = x.Shape[0] * _outerPerSample, c = _channels, inner = _inner;
        var y = Tensor.Ensure(ref _y, x.Shape);
        int scratch = BatchNormKernels.ScratchLength(outer, c, inner);
        if (_accumulator.Length < scratch) _accumulator = new double[scratch];
        _batchMode = training && Trainable;
        if (_batchMode)
        {
            if ((long)outer * inner < 2)
            {
                throw new ArgumentException(
                    $"Layer '{Name}' (BatchNormalization) got a training batch with one value per feature (input {x.Shape}): " +
                    "a batch variance needs at least 2. Use a larger batch, or Fit(..., dropLastPartialBatch: true) to skip a last batch of one.");
            }
            BatchNormKernels.Moments(x.Span, outer, c, inner, _accumulator, _mean, _variance);
            BatchNormChannelKernels.InverseStd(_variance, Epsilon, _invStd);
            MovingMean.Value.CopyTo(_movingBefore.AsSpan(0, c));
            MovingVariance.Value.CopyTo(_movingBefore.AsSpan(c));
            _canAbandon = true;
            BatchNormChannelKernels.UpdateMovingStatistics(_mean, _variance, Momentum, MovingMean.Value, MovingVariance.Value);
            BatchNormChannelKernels.AffineForm(_mean, _invStd, GammaValues, BetaValues, _scale, _shift);
        }
        else
        {
            BatchNormChannelKernels.InverseStd(MovingVariance.Value, Epsilon, _invStd);
            BatchNormChannelKernels.AffineForm(MovingMean.Value, _invStd, GammaValues, BetaValues, _scale, _shift);
        }
        BatchNormKernels.Affine(x.Span, _scale, _shift, outer, c, inner, y.Span);
        _x = x;
        _readyForBackward = training;
        return y;
    }

    internal override void AbandonStep()
    {
        if (!_canAbandon) return;
        _canAbandon = false;
        int c = _mean.Length;
        _movingBefore.AsSpan(0, c).CopyTo(MovingMean.Value);
        _movingBefore.AsSpan(c).CopyTo(MovingVariance.Value);
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _readyForBackward ? _y : null);
        var x = _x!;
        int outer = x.Shape[0] * _outerPerSample, c = _channels, inner = _inner;
        if (!_batchMode)
        {
            // Inference mode (a frozen layer): y = x·scale + shift with constants, so dX = dY·scale.
            if (!NeedsInputGradient) return NoGradient;
            var dxFrozen = Tensor.Ensure(ref _dx, x.Shape);
            BatchNormKernels.Affine(dy.Span, _scale, _zeros, outer, c, inner, dxFrozen.Span);
            return dxFrozen;
        }

        BatchNormKernels.BackwardSums(x.Span, dy.Span, _mean, outer, c, inner, _accumulator, _sumDy, _sumDyXc);
        BatchNormChannelKernels.ParameterGradients(_sumDy, _sumDyXc, _invStd,
            Gamma is { } gamma ? gamma.Gradient : [], Beta is { } beta ? beta.Gradient : []);
        if (!NeedsInputGradient) return NoGradient;

        BatchNormChannelKernels.BackwardCoefficients(GammaValues, _invStd, _mean, _sumDy, _sumDyXc, (double)outer * inner, _k, _m, _b);
        var dx = Tensor.Ensure(ref _dx, x.Shape);
        BatchNormKernels.BackwardInput(x.Span, dy.Span, _k, _m, _b, outer, c, inner, dx.Span);
        return dx;
    }
}
