using Strata.Distributed;
using Strata.Kernels;
using Strata.Serialization;

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
/// The mode is lasting state (<see cref="Mode"/>): a layer once frozen keeps normalizing with the moving statistics when
/// it is unfrozen, training only γ and β (<see cref="BatchNormMode.ScaleAndShift"/>), until <c>Mode</c> is set back to
/// <see cref="BatchNormMode.Training"/>; Keras switches back to batch statistics silently.
/// Weights, in Keras's order: <c>gamma</c> (with <see cref="Scale"/>), <c>beta</c> (with <see cref="Center"/>),
/// <c>moving_mean</c> and <c>moving_variance</c> (never trainable): 4 parameters per feature, 2 non-trainable.
/// <para>
/// Batch Renormalization (Ioffe 2017, <see cref="Renorm"/>), as tf.keras's <c>renorm=True</c>: training outputs
/// <c>γ·(x̂·r + d) + β</c>, x̂ normalized with the batch statistics as above and the corrections
/// r = clip(σ_B/σ, rMin, rMax), d = clip((μ_B − μ)/σ, −dMax, dMax) held constant in backpropagation (so dX is Batch
/// Normalization's with γ·r for γ). Like tf.keras, μ and σ are not the inference statistics but their own moving
/// averages, <c>renorm_mean</c> and <c>renorm_stddev</c>, following σ_B = √(σ²_B + ε) with <see cref="RenormMomentum"/>
/// (σ floored at √ε); and the inference statistics follow the batch through <c>moving_stddev</c>, with
/// moving_variance = moving_stddev² − ε. These three weights come after the others (7 parameters per feature, 5
/// non-trainable) and start from the moving statistics' initial values (tf.keras draws their initializers again).
/// See <see cref="BatchNormChannelKernels.RenormCorrection"/> and <see cref="BatchNormChannelKernels.UpdateRenormStatistics"/>.
/// </para>
/// <para>
/// Ghost batches (Hoffer et al. 2017, <see cref="VirtualBatchSize"/>), as tf.keras's <c>virtual_batch_size</c>: in
/// training the batch is split into consecutive virtual batches of that many samples, each normalized with its own
/// statistics; the moving statistics (and Batch Renormalization's r, d and state) follow the ghosts' means and
/// variances averaged, as tf.keras updates them in one step. Inference always uses the moving statistics, whatever the
/// batch size. Two choices differ from tf.keras: a batch that is not a multiple of the virtual batch size is not refused
/// (the last ghost batch takes the remainder, so each has between V and 2V − 1 samples, and a batch smaller than V is
/// one ghost batch), and ghost batches are consecutive samples where tf.keras's reshape to [V, N/V, …] gathers every
/// (N/V)-th sample; for a shuffled batch both are equally random subsets.
/// </para>
/// <para>
/// Synchronized Batch Normalization (<see cref="Synchronized"/>; Keras's <c>synchronized=True</c>, PyTorch's
/// SyncBatchNorm): in a data-parallel Fit each rank holds a shard of the global batch, and the statistics are the
/// global batch's, so that N ranks × B samples train the model one process trains on N·B. In training each layer
/// adds up [Σx, Σx², count] over the ranks in one allreduce (in double) for μ and σ², and in backpropagation
/// [Σdy, Σdy·(x − μ)] in another for dX; the moving statistics follow the global batch, the same on every rank.
/// dγ and dβ stay the rank's own sums, which the data-parallel step adds up with every other gradient.
/// </para>
/// </summary>
public sealed class BatchNormalization : Layer, IConfigurableLayer
{
    private readonly int[] _axes;
    private int _outerPerSample, _channels, _inner;
    private Tensor? _x, _y, _dx;
    private bool _batchMode, _readyForBackward, _frozenStatistics;
    private float[] _ones = [], _zeros = [], _mean = [], _variance = [], _invStd = [], _scale = [], _shift = [];
    // Per ghost batch g of the last training pass: its mean, variance and 1/√(σ² + ε) at [g·c, (g + 1)·c).
    private float[] _ghostMean = [], _ghostVariance = [], _ghostInvStd = [];
    private int _ghosts, _ghostSize;
    // Batch Renormalization's corrections of the last training pass, and γ·r, γ·d + β; σ_B as scratch.
    private float[] _r = [], _d = [], _renormGamma = [], _renormBeta = [], _stddev = [];
    // The moving statistics (and the renorm state) before the last training pass, restored if its step is abandoned.
    private Weight[] _state = [];
    private float[] _movingBefore = [];
    private bool _canAbandon;
    private float[] _sumDy = [], _sumDyXc = [], _k = [], _m = [], _b = [];
    private double[] _accumulator = [];
    private BatchStatisticsTracker _tracker = null!;
    // Synchronized statistics: [Σx, Σx², n] and [Σdy, Σdy·(x − μ)] of this rank, all ranks' after the allreduce.
    private double[] _syncForward = [], _syncBackward = [];
    private double _syncCount;

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
    /// <param name="renorm">Batch Renormalization (tf.keras's <c>renorm</c>); see the remarks.</param>
    /// <param name="renormClipping">Bounds of r and d (tf.keras's <c>renorm_clipping</c>); none by default. Only with renorm.</param>
    /// <param name="renormMomentum">Keep-rate of the statistics r and d are measured against (tf.keras's <c>renorm_momentum</c>).</param>
    /// <param name="virtualBatchSize">Samples per ghost batch in training (tf.keras's <c>virtual_batch_size</c>), or null for the whole batch.</param>
    /// <param name="synchronized">
    /// Statistics of the global batch in a data-parallel Fit (see the remarks): true always, false never (each rank its
    /// own shard's, Keras's default), null (the default) whenever Fit runs data-parallel, except with ghost batches.
    /// </param>
    public BatchNormalization(int axis = -1, float momentum = 0.99f, float epsilon = 1e-3f, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null,
        Initializer? movingMeanInitializer = null, Initializer? movingVarianceInitializer = null,
        int[]? inputShape = null, string? name = null,
        bool renorm = false, RenormClipping? renormClipping = null, float renormMomentum = 0.99f, int? virtualBatchSize = null,
        bool? synchronized = null)
        : this([axis], momentum, epsilon, center, scale, betaInitializer, gammaInitializer, movingMeanInitializer,
            movingVarianceInitializer, inputShape, name, renorm, renormClipping, renormMomentum, virtualBatchSize, synchronized)
    {
    }

    /// <summary>Normalizes each combination of several contiguous axes separately, like tf.keras's <c>axis=[1, 2]</c>.</summary>
    public BatchNormalization(int[] axes, float momentum = 0.99f, float epsilon = 1e-3f, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null,
        Initializer? movingMeanInitializer = null, Initializer? movingVarianceInitializer = null,
        int[]? inputShape = null, string? name = null,
        bool renorm = false, RenormClipping? renormClipping = null, float renormMomentum = 0.99f, int? virtualBatchSize = null,
        bool? synchronized = null)
        : base(name, inputShape)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length == 0) throw new ArgumentException("BatchNormalization needs at least one feature axis.", nameof(axes));
        if (!(momentum >= 0 && momentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1].");
        if (!(epsilon > 0) || !float.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be positive and finite.");
        if (!(renormMomentum >= 0 && renormMomentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(renormMomentum), renormMomentum, "BatchNormalization: renormMomentum must be in [0, 1].");
        if (renormClipping is not null && !renorm)
            throw new ArgumentException("BatchNormalization: renormClipping bounds Batch Renormalization's corrections; it needs renorm: true.", nameof(renormClipping));
        if (virtualBatchSize is < 1)
            throw new ArgumentOutOfRangeException(nameof(virtualBatchSize), virtualBatchSize, "BatchNormalization: virtualBatchSize must be at least 1 (or null).");
        if (synchronized == true && virtualBatchSize is not null)
            throw new ArgumentException("BatchNormalization: synchronized statistics are the global batch's and ghost batches each their own; choose one (synchronized or virtualBatchSize).", nameof(synchronized));
        _axes = (int[])axes.Clone();
        Synchronized = synchronized;
        Renorm = renorm;
        RenormClipping = renorm ? renormClipping ?? new RenormClipping() : null;
        RenormMomentum = renormMomentum;
        VirtualBatchSize = virtualBatchSize;
        Momentum = momentum;
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
        BetaInitializer = betaInitializer ?? Initializers.Zeros;
        GammaInitializer = gammaInitializer ?? Initializers.Ones;
        MovingMeanInitializer = movingMeanInitializer ?? Initializers.Zeros;
        MovingVarianceInitializer = movingVarianceInitializer ?? Initializers.Ones;
    }

    /// <summary>
    /// Training (batch statistics), Inference (a frozen layer) or ScaleAndShift (moving statistics, γ and β trained).
    /// Setting it sets <see cref="Layer.Trainable"/> to match (false for Inference only); freezing the layer sets
    /// Inference, and unfreezing a layer in Inference gives ScaleAndShift, never Training unless set here.
    /// </summary>
    public BatchNormMode Mode
    {
        get => !_frozenStatistics ? BatchNormMode.Training : Trainable ? BatchNormMode.ScaleAndShift : BatchNormMode.Inference;
        set
        {
            if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "Not a BatchNormMode.");
            _frozenStatistics = value != BatchNormMode.Training;
            Trainable = value != BatchNormMode.Inference;
        }
    }

    internal override bool TrainingPassIsInference => _frozenStatistics;

    protected override void OnTrainableChanged()
    {
        if (!Trainable) _frozenStatistics = true;
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

    /// <summary>Whether training uses Batch Renormalization.</summary>
    public bool Renorm { get; }

    /// <summary>The bounds of r and d with <see cref="Renorm"/> (no bound unless given); null without it.</summary>
    public RenormClipping? RenormClipping { get; }

    /// <summary>Keep-rate of <see cref="RenormMean"/> and <see cref="RenormStddev"/>.</summary>
    public float RenormMomentum { get; }

    /// <summary>Samples per ghost batch in training, or null (the whole batch).</summary>
    public int? VirtualBatchSize { get; }

    /// <summary>
    /// Whether training uses the global batch's statistics in a data-parallel Fit: true, false, or null for the
    /// default (synchronized unless the layer has ghost batches).
    /// </summary>
    public bool? Synchronized { get; }

    /// <summary>True when a data-parallel run synchronizes this layer's statistics.</summary>
    internal bool SynchronizesWhenDistributed => Synchronized ?? VirtualBatchSize is null;

    /// <summary>
    /// The ranks this layer's training statistics are summed over (set by a data-parallel Fit for the layers that
    /// synchronize, null otherwise): while set, training normalizes with the global batch's statistics.
    /// </summary>
    internal Communicator? Communicator { get; set; }

    /// <summary>With <see cref="Renorm"/>: the moving √(σ² + ε) that <see cref="MovingVariance"/> is derived from; else null.</summary>
    public Weight? MovingStddev { get; private set; }

    /// <summary>With <see cref="Renorm"/>: the moving mean the correction d is measured against; else null.</summary>
    public Weight? RenormMean { get; private set; }

    /// <summary>With <see cref="Renorm"/>: the moving √(σ² + ε) the corrections r and d are measured against; else null.</summary>
    public Weight? RenormStddev { get; private set; }

    internal override void WriteConfig(LayerConfigWriter config)
    {
        config.Axes("axis", _axes);
        config.Float("momentum", Momentum);
        config.Float("epsilon", Epsilon);
        config.Bool("center", Center);
        config.Bool("scale", Scale);
        config.Initializer("beta_initializer", BetaInitializer);
        config.Initializer("gamma_initializer", GammaInitializer);
        config.Initializer("moving_mean_initializer", MovingMeanInitializer);
        config.Initializer("moving_variance_initializer", MovingVarianceInitializer);
        // As tf.keras, the TensorFlow-only settings only when set, so that other configurations stay Keras's.
        if (RenormClipping is { } clipping)
        {
            config.Bool("renorm", true);
            config.Object("renorm_clipping", o =>
            {
                if (clipping.RMax is float rMax) o.Float("rmax", rMax);
                if (clipping.RMin is float rMin) o.Float("rmin", rMin);
                if (clipping.DMax is float dMax) o.Float("dmax", dMax);
            });
            config.Float("renorm_momentum", RenormMomentum);
        }
        if (VirtualBatchSize is int virtualBatchSize) config.Int("virtual_batch_size", virtualBatchSize);
        if (Synchronized is bool synchronized) config.Bool("synchronized", synchronized);
        // Strata's own, only when it is not Keras's behaviour: the moving statistics in training though trainable.
        if (Mode == BatchNormMode.ScaleAndShift) config.Bool("frozen_statistics", true);
    }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) =>
        new BatchNormalization(c.Axes("axis"), c.Float("momentum"), c.Float("epsilon"), c.Bool("center"), c.Bool("scale"),
            c.Initializer("beta_initializer"), c.Initializer("gamma_initializer"), c.Initializer("moving_mean_initializer"),
            c.Initializer("moving_variance_initializer"), c.InputShape, c.Name, c.Flag("renorm"),
            c.OptionalObject("renorm_clipping", o => new RenormClipping(o.OptionalFloat("rmax"), o.OptionalFloat("rmin"), o.OptionalFloat("dmax"))),
            c.OptionalFloat("renorm_momentum") ?? 0.99f, c.OptionalInt("virtual_batch_size", 1, int.MaxValue), c.OptionalBool("synchronized"))
        {
            // Read before "trainable" is applied: a frozen layer then reads Inference, an unfrozen one ScaleAndShift.
            _frozenStatistics = c.Flag("frozen_statistics"),
        };

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
        _state = [MovingMean, MovingVariance];
        int c = _channels;
        if (Renorm)
        {
            MovingStddev = AddWeight("moving_stddev", shape, Initializers.Zeros, trainable: false, random);
            RenormMean = AddWeight("renorm_mean", shape, Initializers.Zeros, trainable: false, random);
            RenormStddev = AddWeight("renorm_stddev", shape, Initializers.Zeros, trainable: false, random);
            BatchNormChannelKernels.StandardDeviation(MovingVariance.Value, 0f, MovingStddev.Value);
            MovingMean.Value.CopyTo(RenormMean.Value);
            MovingStddev.Value.CopyTo(RenormStddev.Value);
            _state = [.. _state, MovingStddev, RenormMean, RenormStddev];
            (_r, _d, _renormGamma, _renormBeta, _stddev) = (new float[c], new float[c], new float[c], new float[c], new float[c]);
        }

        _ones = new float[c];
        Array.Fill(_ones, 1f);
        _zeros = new float[c];
        (_mean, _variance, _invStd, _scale, _shift) = (new float[c], new float[c], new float[c], new float[c], new float[c]);
        _movingBefore = new float[_state.Length * c];
        (_sumDy, _sumDyXc, _k, _m, _b) = (new float[c], new float[c], new float[c], new float[c], new float[c]);
        _tracker = new BatchStatisticsTracker(c);
        (_syncForward, _syncBackward) = (new double[2 * c + 1], new double[2 * c]);
        return inputShape;
    }

    /// <summary>The updates of the moving statistics and the recent batch statistics, for <see cref="BatchNormHealth"/>.</summary>
    internal BatchStatisticsTracker Tracker => _tracker;

    internal override void Reinitialize(Random random)
    {
        base.Reinitialize(random);
        _tracker.Reset();
    }

    /// <summary>A batch of <paramref name="batch"/> samples as the kernels view it: [outer, c, inner], c the features.</summary>
    internal (int Outer, int Channels, int Inner) Layout(int batch) => (batch * _outerPerSample, _channels, _inner);

    /// <summary>
    /// Sets the statistics inference uses (recalibration, <see cref="Model.RecalibrateBatchNormalization(Tensor, int, int, int)"/>):
    /// the moving mean and BIASED variance; with <see cref="Renorm"/> also moving_stddev = √(σ² + ε), which the moving
    /// variance is derived from in training. The renorm statistics r and d are measured against are training state and stay.
    /// </summary>
    internal void SetMovingStatistics(ReadOnlySpan<float> mean, ReadOnlySpan<float> variance)
    {
        mean.CopyTo(MovingMean.Value);
        variance.CopyTo(MovingVariance.Value);
        if (Renorm) BatchNormChannelKernels.StandardDeviation(variance, Epsilon, MovingStddev!.Value);
        _tracker.Calibrated = true;
    }

    private ReadOnlySpan<float> GammaValues => Gamma is null ? _ones : Gamma.Value;
    private ReadOnlySpan<float> BetaValues => Beta is null ? _zeros : Beta.Value;

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        int outer = x.Shape[0] * _outerPerSample, c = _channels, inner = _inner;
        var y = Tensor.Ensure(ref _y, x.Shape);
        _batchMode = training && !_frozenStatistics;
        if (_batchMode)
        {
            NormalizeGhostBatches(x, y);
        }
        else
        {
            BatchNormChannelKernels.InverseStd(MovingVariance.Value, Epsilon, _invStd);
            BatchNormChannelKernels.AffineForm(MovingMean.Value, _invStd, GammaValues, BetaValues, _scale, _shift);
            BatchNormKernels.Affine(x.Span, _scale, _shift, outer, c, inner, y.Span);
        }
        _x = x;
        _readyForBackward = training;
        return y;
    }

    /// <summary>
    /// Training: the statistics of every ghost batch (the whole batch without <see cref="VirtualBatchSize"/>), the
    /// moving statistics' update from their average, and each ghost batch normalized with its own.
    /// </summary>
    private void NormalizeGhostBatches(Tensor x, Tensor y)
    {
        int batch = x.Shape[0], c = _channels, inner = _inner;
        PrepareGhosts(batch);
        if (Communicator is { } communicator)
        {
            SynchronizedMoments(x, communicator);
        }
        else
        {
            for (int g = 0; g < _ghosts; g++)
            {
                var (values, outer) = Ghost(g, batch);
                if ((long)outer * inner < 2) throw TooFewValues(x, VirtualBatchSize is int v ? $" in ghost batches of {v} samples or more" : "");
                var stats = new Range(g * c, (g + 1) * c);
                BatchNormKernels.Moments(x.Span[values], outer, c, inner, _accumulator, _ghostMean.AsSpan(stats), _ghostVariance.AsSpan(stats));
                BatchNormChannelKernels.InverseStd(_ghostVariance.AsSpan(stats), Epsilon, _ghostInvStd.AsSpan(stats));
            }
        }
        BatchNormChannelKernels.Average(_ghostMean, _ghosts, _mean);
        BatchNormChannelKernels.Average(_ghostVariance, _ghosts, _variance);

        for (int i = 0; i < _state.Length; i++) _state[i].Value.CopyTo(_movingBefore.AsSpan(i * c, c));
        _canAbandon = true;
        _tracker.Settle();
        bool updated;
        ReadOnlySpan<float> gamma = GammaValues, beta = BetaValues;
        if (Renorm)
        {
            var clip = RenormClipping!;
            // r and d from the renorm statistics before this batch's update.
            BatchNormChannelKernels.RenormCorrection(_mean, _variance, Epsilon, RenormMean!.Value, RenormStddev!.Value,
                clip.RMin ?? float.NegativeInfinity, clip.RMax ?? float.PositiveInfinity, clip.DMax ?? float.PositiveInfinity, _r, _d);
            updated = BatchNormChannelKernels.UpdateRenormStatistics(_mean, _variance, Epsilon, Momentum, RenormMomentum, _stddev,
                MovingMean.Value, MovingVariance.Value, MovingStddev!.Value, RenormMean.Value, RenormStddev.Value);
            BatchNormChannelKernels.RenormAffine(gamma, beta, _r, _d, _renormGamma, _renormBeta);
            gamma = _renormGamma;
            beta = _renormBeta;
        }
        else
        {
            updated = BatchNormChannelKernels.UpdateMovingStatistics(_mean, _variance, Momentum, MovingMean.Value, MovingVariance.Value);
        }
        if (updated) _tracker.Record(_mean, _variance);
        for (int g = 0; g < _ghosts; g++)
        {
            var (values, outer) = Ghost(g, batch);
            var stats = new Range(g * c, (g + 1) * c);
            BatchNormChannelKernels.AffineForm(_ghostMean.AsSpan(stats), _ghostInvStd.AsSpan(stats), gamma, beta, _scale, _shift);
            BatchNormKernels.Affine(x.Span[values], _scale, _shift, outer, c, inner, y.Span[values]);
        }
    }

    /// <summary>
    /// The global batch's μ and σ² in ghost slot 0: this rank's [Σx, Σx², n] summed over the ranks in one allreduce.
    /// </summary>
    private void SynchronizedMoments(Tensor x, Communicator communicator)
    {
        int outer = x.Shape[0] * _outerPerSample, c = _channels;
        var sums = _syncForward.AsSpan();
        BatchNormKernels.Sums(x.Span, outer, c, _inner, _accumulator, sums[..c], sums.Slice(c, c));
        sums[2 * c] = (double)outer * _inner;
        communicator.AllReduce(sums);
        _syncCount = sums[2 * c];
        if (_syncCount < 2) throw TooFewValues(x, $" over the {communicator.Size} ranks");
        BatchNormChannelKernels.MomentsFromSums(sums[..c], sums.Slice(c, c), _syncCount, _ghostMean.AsSpan(0, c), _ghostVariance.AsSpan(0, c));
        BatchNormChannelKernels.InverseStd(_ghostVariance.AsSpan(0, c), Epsilon, _ghostInvStd.AsSpan(0, c));
    }

    private ArgumentException TooFewValues(Tensor x, string where) => new(
        $"Layer '{Name}' (BatchNormalization) got a training batch with one value per feature (input {x.Shape}){where}: " +
        "a batch variance needs at least 2. Use a larger batch, or Fit(..., dropLastPartialBatch: true) to skip a last batch of one.");

    /// <summary>Sizes the ghost batches of a batch (one without <see cref="VirtualBatchSize"/>) and their scratch.</summary>
    private void PrepareGhosts(int batch)
    {
        int size = VirtualBatchSize is int v && v < batch ? v : batch;
        _ghosts = Math.Max(1, batch / Math.Max(size, 1));
        _ghostSize = size;
        int stats = _ghosts * _channels;
        if (_ghostMean.Length < stats) (_ghostMean, _ghostVariance, _ghostInvStd) = (new float[stats], new float[stats], new float[stats]);
        // The last ghost batch is the largest (it takes the remainder).
        int scratch = BatchNormKernels.ScratchLength(Ghost(_ghosts - 1, batch).Outer, _channels, _inner);
        if (_accumulator.Length < scratch) _accumulator = new double[scratch];
    }

    /// <summary>Ghost batch g: its values in the batch tensor and its rows (samples·outer-per-sample) in the [outer, c, inner] view.</summary>
    private (Range Values, int Outer) Ghost(int g, int batch)
    {
        int first = g * _ghostSize, samples = g == _ghosts - 1 ? batch - first : _ghostSize;
        int perSample = _outerPerSample * _channels * _inner;
        return (new Range(first * perSample, (first + samples) * perSample), samples * _outerPerSample);
    }

    internal override void AbandonStep()
    {
        if (!_canAbandon) return;
        _canAbandon = false;
        _tracker.Abandon(_mean, _variance);
        int c = _channels;
        for (int i = 0; i < _state.Length; i++) _movingBefore.AsSpan(i * c, c).CopyTo(_state[i].Value);
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _readyForBackward ? _y : null);
        var x = _x!;
        int outer = x.Shape[0] * _outerPerSample, c = _channels, inner = _inner;
        if (!_batchMode)
        {
            // The moving statistics: y = γ·x̂ + β with x̂ = (x − μ)·invStd constants, so dX = dY·γ·invStd, and when γ and
            // β train (ScaleAndShift) dγ = Σ dY·(x − μ)·invStd, dβ = Σ dY.
            if (Trainable) FixedStatisticsParameterGradients(x, dy, outer);
            if (!NeedsInputGradient) return NoGradient;
            var dxFrozen = Tensor.Ensure(ref _dx, x.Shape);
            BatchNormKernels.Affine(dy.Span, _scale, _zeros, outer, c, inner, dxFrozen.Span);
            return dxFrozen;
        }

        // Each ghost batch is Batch Normalization on its own (with γ·r for γ under renorm, r and d constants).
        var dx = NeedsInputGradient ? Tensor.Ensure(ref _dx, x.Shape) : null;
        ReadOnlySpan<float> gamma = Renorm ? _renormGamma : GammaValues;
        if (Communicator is { } communicator) return SynchronizedBackward(x, dy, dx, gamma, communicator);
        int batch = x.Shape[0];
        for (int g = 0; g < _ghosts; g++)
        {
            var (values, ghostOuter) = Ghost(g, batch);
            var stats = new Range(g * c, (g + 1) * c);
            BatchNormKernels.BackwardSums(x.Span[values], dy.Span[values], _ghostMean.AsSpan(stats), ghostOuter, c, inner, _accumulator, _sumDy, _sumDyXc);
            BatchNormChannelKernels.ParameterGradients(_sumDy, _sumDyXc, _ghostInvStd.AsSpan(stats), _r, _d,
                Gamma is { } weight ? weight.Gradient : [], Beta is { } bias ? bias.Gradient : []);
            if (dx is null) continue;
            BatchNormChannelKernels.BackwardCoefficients(gamma, _ghostInvStd.AsSpan(stats), _ghostMean.AsSpan(stats), _sumDy, _sumDyXc,
                (double)ghostOuter * inner, _k, _m, _b);
            BatchNormKernels.BackwardInput(x.Span[values], dy.Span[values], _k, _m, _b, ghostOuter, c, inner, dx.Span[values]);
        }
        return dx ?? NoGradient;
    }

    /// <summary>dγ and dβ of a pass normalized with the moving statistics (ScaleAndShift), μ and invStd from its forward pass.</summary>
    private void FixedStatisticsParameterGradients(Tensor x, Tensor dy, int outer)
    {
        int scratch = BatchNormKernels.ScratchLength(outer, _channels, _inner);
        if (_accumulator.Length < scratch) _accumulator = new double[scratch];
        BatchNormKernels.BackwardSums(x.Span, dy.Span, MovingMean.Value, outer, _channels, _inner, _accumulator, _sumDy, _sumDyXc);
        BatchNormChannelKernels.ParameterGradients(_sumDy, _sumDyXc, _invStd, [], [],
            Gamma is { } weight ? weight.Gradient : [], Beta is { } bias ? bias.Gradient : []);
    }

    /// <summary>
    /// Backpropagation through the global batch's statistics: dγ and dβ from this rank's [Σdy, Σdy·(x − μ)] (the
    /// data-parallel step sums them with the other gradients), dX from those sums over every rank and the global n.
    /// A layer whose dX nobody needs makes no allreduce — on every rank alike, as the graph is the same.
    /// </summary>
    private Tensor SynchronizedBackward(Tensor x, Tensor dy, Tensor? dx, ReadOnlySpan<float> gamma, Communicator communicator)
    {
        int outer = x.Shape[0] * _outerPerSample, c = _channels;
        var sums = _syncBackward.AsSpan();
        ReadOnlySpan<float> mean = _ghostMean.AsSpan(0, c), invStd = _ghostInvStd.AsSpan(0, c);
        BatchNormKernels.BackwardSumsInDouble(x.Span, dy.Span, mean, outer, c, _inner, _accumulator, sums[..c], sums.Slice(c, c));
        BatchNormChannelKernels.ToSingle(sums[..c], _sumDy);
        BatchNormChannelKernels.ToSingle(sums.Slice(c, c), _sumDyXc);
        BatchNormChannelKernels.ParameterGradients(_sumDy, _sumDyXc, invStd, _r, _d,
            Gamma is { } weight ? weight.Gradient : [], Beta is { } bias ? bias.Gradient : []);
        if (dx is null) return NoGradient;
        communicator.AllReduce(sums);
        BatchNormChannelKernels.ToSingle(sums[..c], _sumDy);
        BatchNormChannelKernels.ToSingle(sums.Slice(c, c), _sumDyXc);
        BatchNormChannelKernels.BackwardCoefficients(gamma, invStd, mean, _sumDy, _sumDyXc, _syncCount, _k, _m, _b);
        BatchNormKernels.BackwardInput(x.Span, dy.Span, _k, _m, _b, outer, c, _inner, dx.Span);
        return dx;
    }
}
