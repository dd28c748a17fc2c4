using Strata.Layers;
namespace Strata;

public partial class Model
{
    private Tensor[] _xBatches = [], _yBatches = [];

    /// <summary>
    /// Epochs completed on this model, over all calls (kept by <see cref="Save"/>): Fit counts its own; a custom training
    /// loop sets it after each epoch it finishes, so that a saved model resumes from the right place.
    /// </summary>
    public int EpochsCompleted
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>
    /// Trains for <paramref name="epochs"/> passes over the data in mini-batches.
    /// </summary>
    /// <param name="x">Inputs [n, …].</param>
    /// <param name="y">Targets [n] (class indices) or [n, …].</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="validationSplit">Fraction of the samples, taken from the END before shuffling (as Keras does), held out for validation.</param>
    /// <param name="validationData">Explicit validation inputs and targets; overrides <paramref name="validationSplit"/>.</param>
    /// <param name="shuffle">Reshuffle the training samples every epoch.</param>
    /// <param name="seed">Seed of the shuffling, for reproducible runs.</param>
    /// <param name="callbacks">Progress and control hooks.</param>
    /// <param name="dropLastPartialBatch">Skip the last, smaller batch of each epoch.</param>
    /// <param name="verbose">
    /// Keras's <c>verbose</c>: 1 (the default) a progress bar per epoch on a terminal, one line per epoch when the
    /// output is redirected; 2 one line per epoch; 0 silence. Warnings are printed as they happen (see <see cref="ProgressLogger"/>).
    /// </param>
    /// <param name="initialEpoch">
    /// The epoch to start from (Keras's <c>initial_epoch</c>), to resume a run: epochs <paramref name="initialEpoch"/> to
    /// <paramref name="epochs"/> − 1 are trained, and the shuffles of the earlier ones are replayed so that, with the
    /// same seed, a resumed run sees the batches the uninterrupted run would have.
    /// </param>
    /// <param name="steps">
    /// A step budget in place of <paramref name="epochs"/>: train exactly this many steps (batches), over as many
    /// epochs as they take, reshuffled as usual, the last one cut short after the last step (as a callback's stop
    /// would; it is recorded in the history but not counted in <see cref="EpochsCompleted"/>). Step-based training
    /// (papers count updates, not passes) then needs no callback that counts steps and stops. Null (the default):
    /// <paramref name="epochs"/> decides; with a budget, <paramref name="epochs"/> stays at its default.
    /// </param>
    public History Fit(Tensor x, Tensor y, int epochs = 1, int batchSize = 32, float validationSplit = 0f,
        (Tensor X, Tensor Y)? validationData = null, bool shuffle = true, int? seed = null,
        IEnumerable<Callback>? callbacks = null, bool dropLastPartialBatch = false, int initialEpoch = 0, int verbose = 1, int? steps = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        (Tensor[] X, Tensor[] Y)? validation = validationData is { } vd ? ([vd.X], [vd.Y]) : null;
        return Fit([x], [y], epochs, batchSize, validationSplit, validation, shuffle, seed, callbacks, dropLastPartialBatch, initialEpoch, verbose, steps);
    }

    /// <summary>
    /// Trains a model of several inputs or outputs: <paramref name="x"/> holds one tensor per input and
    /// <paramref name="y"/> one per output, in model order, all with the same samples; otherwise as
    /// <see cref="Fit(Tensor, Tensor, int, int, float, ValueTuple{Tensor, Tensor}?, bool, int?, IEnumerable{Callback}?, bool, int, int, int?)"/>.
    /// </summary>
    public History Fit(Tensor[] x, Tensor[] y, int epochs = 1, int batchSize = 32, float validationSplit = 0f,
        (Tensor[] X, Tensor[] Y)? validationData = null, bool shuffle = true, int? seed = null,
        IEnumerable<Callback>? callbacks = null, bool dropLastPartialBatch = false, int initialEpoch = 0, int verbose = 1, int? steps = null)
    {
        RequireCompiled();
        CheckPair(Checked(x), Checked(y));
        using var context = Context.Enter();
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfNegative(initialEpoch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (!(validationSplit >= 0f && validationSplit < 1f))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "The validation split must be in [0, 1).");

        int total = x[0].Shape[0];
        int trainCount = total;
        Tensor[]? valX = null, valY = null;
        if (validationData is { } vd)
        {
            CheckPair(Checked(vd.X), Checked(vd.Y));
            (valX, valY) = (vd.X, vd.Y);
        }
        else if (validationSplit > 0)
        {
            trainCount = (int)Math.Floor(total * (1.0 - validationSplit));
            if (trainCount == 0 || trainCount == total)
                throw new ArgumentException($"A validation split of {validationSplit} of {total} samples leaves one side empty.", nameof(validationSplit));
            valX = [.. x.Select(t => SliceRows(t, trainCount, total - trainCount))];
            valY = [.. y.Select(t => SliceRows(t, trainCount, total - trainCount))];
        }

        var logger = ProgressLogger.ForConsole(verbose);
        Callback[] cbs = [.. logger is null ? [] : new Callback[] { logger }, .. callbacks ?? []];
        int fullSteps = trainCount / batchSize;
        int partial = trainCount % batchSize;
        bool usePartial = partial > 0 && !dropLastPartialBatch;
        int stepsPerEpoch = fullSteps + (usePartial ? 1 : 0);
        if (stepsPerEpoch == 0)
            throw new ArgumentException($"{trainCount} training samples make no batch of {batchSize} once the partial batch is dropped.", nameof(batchSize));
        int lastEpochSteps = stepsPerEpoch;
        if (steps is int budget)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(budget, nameof(steps));
            if (epochs != 1) throw new ArgumentException($"Fit takes epochs ({epochs}) or steps ({budget}), not both.", nameof(steps));
            epochs = initialEpoch + (budget + stepsPerEpoch - 1) / stepsPerEpoch;
            lastEpochSteps = budget - (epochs - initialEpoch - 1) * stepsPerEpoch;
        }

        FollowTrainable(); // layers frozen or unfrozen since Compile: the run's weights are the trainable ones now
        var plan = new TrainingPlan(epochs, stepsPerEpoch, trainCount, valX?[0].Shape[0] ?? 0, batchSize, [.. _reports.Select(r => r.Name)],
            _slab!.Weights.Select(w => w.Name).ToArray());
        var history = new History { LayerGradientNorms = new LayerGradientNorms(GradientLayers) };
        history.LayerGradientNorms.Reserve((epochs - initialEpoch - 1) * stepsPerEpoch + lastEpochSteps);
        RecordsLayerNorms = true;
        foreach (var cb in cbs) cb.Attach(this, history);
        foreach (var cb in cbs) cb.OnTrainBegin(plan);

        var random = seed is int s ? new Random(s) : new Random();
        var order = new int[trainCount];
        for (int i = 0; i < trainCount; i++) order[i] = i;
        Shape[] xFull = [.. x.Select(t => WithBatch(t, batchSize))], yFull = [.. y.Select(t => WithBatch(t, batchSize))];
        Shape[] xPart = [.. x.Select(t => WithBatch(t, partial))], yPart = [.. y.Select(t => WithBatch(t, partial))];
        var logs = new BatchLogs(_reports.Length, _slab.Weights.Length);
        var epochNorms = new List<double>(stepsPerEpoch);
        var metricSums = new double[_reports.Length];

        if (shuffle)
            for (int epoch = 0; epoch < initialEpoch; epoch++) random.Shuffle(order);

        for (int epoch = initialEpoch; epoch < epochs; epoch++)
        {
            foreach (var cb in cbs) cb.OnEpochBegin(epoch);
            foreach (var bn in _layers.OfType<BatchNormalization>()) bn.Tracker.ResetRecent();
            if (shuffle) random.Shuffle(order);
            double start = Now(), lossSum = 0;
            int seen = 0;
            Array.Clear(metricSums);
            epochNorms.Clear();
            int epochSteps = epoch == epochs - 1 ? lastEpochSteps : stepsPerEpoch;
            for (int step = 0; step < epochSteps; step++)
            {
                int count = step < fullSteps ? batchSize : partial;
                for (int i = 0; i < x.Length; i++)
                    Gather(x[i], order, step * batchSize, count, count == batchSize ? xFull[i] : xPart[i], ref _xBatches[i]!);
                for (int j = 0; j < y.Length; j++)
                    Gather(y[j], order, step * batchSize, count, count == batchSize ? yFull[j] : yPart[j], ref _yBatches[j]!);
                float loss = TrainStep(_xBatches, _yBatches, out bool skipped);
                if (skipped) history.SkippedSteps++;
                logs.Skipped = skipped;
                logs.GradientNorm = LastGradientNorm;
                for (int w = 0; w < Math.Min(logs.WeightGradientNorms.Length, LastWeightSumsOfSquares.Length); w++) logs.WeightGradientNorms[w] = Math.Sqrt(LastWeightSumsOfSquares[w]);
                history.RecordGradientNorms(logs.GradientNorm, logs.WeightGradientNorms);
                history.LayerGradientNorms.Add(LayerSquaresBefore, LayerSquaresAfter);
                epochNorms.Add(logs.GradientNorm);
                lossSum += (double)loss * count;
                seen += count;
                AddReports(_executor!.Outputs, _yBatches, count, metricSums);

                logs.BatchLoss = loss;
                logs.Step = step + 1;
                logs.Samples = seen;
                logs.Loss = lossSum / seen;
                for (int m = 0; m < metricSums.Length; m++) logs.Metrics[m] = metricSums[m] / seen;
                logs.ElapsedSeconds = Now() - start;
                foreach (var cb in cbs) cb.OnBatchEnd(epoch, logs);
                if (StopRequested(cbs)) break;
            }

            var epochLogs = new Dictionary<string, double> { ["loss"] = lossSum / seen };
            history.SummarizeGradientNorms(epoch, epochNorms);
            for (int m = 0; m < metricSums.Length; m++) epochLogs[_reports[m].Name] = metricSums[m] / seen;
            if (valX is not null)
            {
                var val = Evaluate(valX, valY!, batchSize);
                epochLogs["val_loss"] = val.Loss;
                foreach (var (name, value) in val.Metrics) epochLogs["val_" + name] = value;
            }
            history.AddEpoch(epochLogs);
            // An epoch a callback cut short does not count: resuming from a save would skip the rest of it.
            if (seen == fullSteps * batchSize + (usePartial ? partial : 0)) EpochsCompleted = epoch + 1;
            foreach (var cb in cbs) cb.OnEpochEnd(epoch, epochLogs);
            if (StopRequested(cbs)) break;
        }
        RecordsLayerNorms = false;
        foreach (string warning in BatchNormWarnings(afterTraining: true)) history.AddWarning(warning);
        foreach (var cb in cbs) cb.OnTrainEnd(history);
        return history;
    }

    private static bool StopRequested(Callback[] callbacks)
    {
        foreach (var cb in callbacks)
            if (cb.StopTraining) return true;
        return false;
    }
}
