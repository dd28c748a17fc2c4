using Strata.Distributed;
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
    /// <param name="communicator">
    /// Data-parallel training over the communicator's ranks (Horovod's scheme; see docs/distributed.md), null (the
    /// default) for one process. Every rank calls Fit with the same data and arguments; <paramref name="batchSize"/>
    /// is then the GLOBAL batch, of which each rank trains on its shard (consecutive samples of the global batch,
    /// sizes differing by at most one) in the same seeded order. Rank 0's weights are broadcast first; the gradients are
    /// summed over the ranks in one allreduce of the gradient slab per step, each rank's weighted by its share of the
    /// batch (with equal shards, the average), before clipping, the non-finite check and the update, so that every rank
    /// takes the same step as one process on the global batch. BatchNormalization is synchronized (see
    /// <see cref="Layers.BatchNormalization.Synchronized"/>). Loss, metrics and validation are reduced over the ranks;
    /// only rank 0 prints and runs the callbacks that write (<see cref="ProgressLogger"/>, <see cref="ModelCheckpoint"/>).
    /// A last partial batch smaller than the number of ranks is dropped on every rank.
    /// </param>
    public History Fit(Tensor x, Tensor y, int epochs = 1, int batchSize = 32, float validationSplit = 0f,
        (Tensor X, Tensor Y)? validationData = null, bool shuffle = true, int? seed = null,
        IEnumerable<Callback>? callbacks = null, bool dropLastPartialBatch = false, int initialEpoch = 0, int verbose = 1, int? steps = null,
        Communicator? communicator = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        (Tensor[] X, Tensor[] Y)? validation = validationData is { } vd ? ([vd.X], [vd.Y]) : null;
        return Fit([x], [y], epochs, batchSize, validationSplit, validation, shuffle, seed, callbacks, dropLastPartialBatch, initialEpoch, verbose, steps, communicator);
    }

    /// <summary>
    /// Trains a model of several inputs or outputs: <paramref name="x"/> holds one tensor per input and
    /// <paramref name="y"/> one per output, in model order, all with the same samples; otherwise as
    /// <see cref="Fit(Tensor, Tensor, int, int, float, ValueTuple{Tensor, Tensor}?, bool, int?, IEnumerable{Callback}?, bool, int, int, int?, Distributed.Communicator?)"/>.
    /// </summary>
    public History Fit(Tensor[] x, Tensor[] y, int epochs = 1, int batchSize = 32, float validationSplit = 0f,
        (Tensor[] X, Tensor[] Y)? validationData = null, bool shuffle = true, int? seed = null,
        IEnumerable<Callback>? callbacks = null, bool dropLastPartialBatch = false, int initialEpoch = 0, int verbose = 1, int? steps = null,
        Communicator? communicator = null)
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

        // Data-parallel: only rank 0 prints and runs the callbacks that write files.
        int ranks = communicator?.Size ?? 1, rank = communicator?.Rank ?? 0;
        if (batchSize < ranks)
            throw new ArgumentException($"Model '{Name}': a global batch of {batchSize} cannot be shared by {ranks} ranks; use a batch size of at least {ranks}.", nameof(batchSize));
        var logger = rank == 0 ? ProgressLogger.ForConsole(verbose) : null;
        Callback[] cbs = [.. logger is null ? [] : new Callback[] { logger }, .. (callbacks ?? []).Where(c => rank == 0 || !c.WritesOutput)];
        int fullSteps = trainCount / batchSize;
        int partial = trainCount % batchSize;
        bool usePartial = partial >= ranks && !dropLastPartialBatch;
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
        if (communicator is not null)
        {
            seed = BeginDataParallel(communicator, seed, ("training samples", trainCount), ("validation samples", valX?[0].Shape[0] ?? 0),
                ("batch size", batchSize), ("epochs", epochs), ("initial epoch", initialEpoch), ("steps per epoch", stepsPerEpoch),
                ("shuffle", shuffle ? 1 : 0));
        }
        try
        {
            return FitLoop(x, y, epochs, batchSize, shuffle, seed, initialEpoch, valX, valY, cbs, trainCount, fullSteps, partial, usePartial,
                stepsPerEpoch, lastEpochSteps);
        }
        finally
        {
            if (communicator is not null) EndDataParallel();
        }
    }

    private History FitLoop(Tensor[] x, Tensor[] y, int epochs, int batchSize, bool shuffle, int? seed, int initialEpoch,
        Tensor[]? valX, Tensor[]? valY, Callback[] cbs, int trainCount, int fullSteps, int partial, bool usePartial, int stepsPerEpoch, int lastEpochSteps)
    {
        int ranks = _communicator?.Size ?? 1, rank = _communicator?.Rank ?? 0;
        var plan = new TrainingPlan(epochs, stepsPerEpoch, trainCount, valX?[0].Shape[0] ?? 0, batchSize, [.. _reports.Select(r => r.Name)],
            [.. GradientWeights]);
        var history = new History { LayerGradientNorms = new LayerGradientNorms(GradientLayers), WeightNames = plan.WeightNames };
        history.LayerGradientNorms.Reserve((epochs - initialEpoch - 1) * stepsPerEpoch + lastEpochSteps);
        RecordsLayerNorms = true;
        foreach (var cb in cbs) cb.Attach(this, history);
        foreach (var cb in cbs) cb.OnTrainBegin(plan);

        var random = seed is int s ? new Random(s) : new Random();
        var order = new int[trainCount];
        for (int i = 0; i < trainCount; i++) order[i] = i;
        // This rank's shard of a full and of the partial batch (the whole batches on one process).
        var (fullFirst, fullShard) = Shard(batchSize, rank, ranks);
        var (partFirst, partShard) = Shard(partial, rank, ranks);
        Shape[] xFull = [.. x.Select(t => WithBatch(t, fullShard))], yFull = [.. y.Select(t => WithBatch(t, fullShard))];
        Shape[] xPart = [.. x.Select(t => WithBatch(t, partShard))], yPart = [.. y.Select(t => WithBatch(t, partShard))];
        var logs = new BatchLogs(_reports.Length, GradientWeights.Count);
        var epochNorms = new List<double>(stepsPerEpoch);
        var metricSums = new double[_reports.Length];
        FrozenFeatures? features = null;

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
                bool full = step < fullSteps;
                int count = full ? batchSize : partial;
                int first = step * batchSize + (full ? fullFirst : partFirst), shard = full ? fullShard : partShard;
                _lossShare = shard == count ? 1f : (float)((double)shard / count);
                if (_randomLayers.Length > 0) SetShardOffset(full ? fullFirst : partFirst);
                features = CurrentFeatures(features, x, trainCount, batchSize, fullShard, partShard);
                var inputs = _xBatches;
                if (features.Features is { } cached)
                {
                    Gather(cached, order, first, shard, full ? features.Full : features.Part, ref _featureBatch[0]!);
                    inputs = _featureBatch;
                    history.StepsOnCachedFeatures++;
                }
                else
                {
                    for (int i = 0; i < x.Length; i++)
                        Gather(x[i], order, first, shard, full ? xFull[i] : xPart[i], ref _xBatches[i]!);
                }
                for (int j = 0; j < y.Length; j++)
                    Gather(y[j], order, first, shard, full ? yFull[j] : yPart[j], ref _yBatches[j]!);
                float loss = TrainStep(inputs, _yBatches, out bool skipped, features.FirstCall);
                if (skipped) history.SkippedSteps++;
                logs.Skipped = skipped;
                logs.GradientNorm = LastGradientNorm;
                LastWeightNorms(logs.WeightGradientNorms);
                history.RecordGradientNorms(logs.GradientNorm, logs.WeightGradientNorms);
                history.LayerGradientNorms.Add(LayerSquaresBefore, LayerSquaresAfter);
                epochNorms.Add(logs.GradientNorm);
                lossSum += (double)loss * count;
                seen += count;
                if (_communicator is null) AddReports(_executor!.Outputs, _yBatches, count, metricSums);
                else for (int m = 0; m < metricSums.Length; m++) metricSums[m] += _stepStatistics[1 + m];

                logs.BatchLoss = loss;
                logs.Step = step + 1;
                logs.Samples = seen;
                logs.Loss = lossSum / seen;
                for (int m = 0; m < metricSums.Length; m++) logs.Metrics[m] = metricSums[m] / seen;
                logs.ElapsedSeconds = Now() - start;
                foreach (var cb in cbs) cb.OnBatchEnd(epoch, logs);
                if (StopRequestedEverywhere(cbs)) break;
            }

            var epochLogs = new Dictionary<string, double> { ["loss"] = lossSum / seen };
            history.SummarizeGradientNorms(epoch, epochNorms);
            for (int m = 0; m < metricSums.Length; m++) epochLogs[_reports[m].Name] = metricSums[m] / seen;
            if (valX is not null)
            {
                var val = _communicator is { } communicator ? EvaluateDistributed(communicator, valX, valY!, batchSize) : Evaluate(valX, valY!, batchSize);
                epochLogs["val_loss"] = val.Loss;
                foreach (var (name, value) in val.Metrics) epochLogs["val_" + name] = value;
            }
            history.AddEpoch(epochLogs);
            // An epoch a callback cut short does not count: resuming from a save would skip the rest of it.
            if (seen == fullSteps * batchSize + (usePartial ? partial : 0)) EpochsCompleted = epoch + 1;
            foreach (var cb in cbs) cb.OnEpochEnd(epoch, epochLogs);
            if (StopRequestedEverywhere(cbs)) break;
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
