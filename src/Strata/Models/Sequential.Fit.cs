namespace Strata;

public sealed partial class Sequential
{
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
        RequireCompiled();
        CheckPair(x, y);
        using var context = Context.Enter();
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfNegative(initialEpoch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (!(validationSplit >= 0f && validationSplit < 1f))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "The validation split must be in [0, 1).");

        int total = x.Shape[0];
        int trainCount = total;
        Tensor? valX = null, valY = null;
        if (validationData is { } vd)
        {
            CheckPair(vd.X, vd.Y);
            (valX, valY) = (vd.X, vd.Y);
        }
        else if (validationSplit > 0)
        {
            trainCount = (int)Math.Floor(total * (1.0 - validationSplit));
            if (trainCount == 0 || trainCount == total)
                throw new ArgumentException($"A validation split of {validationSplit} of {total} samples leaves one side empty.", nameof(validationSplit));
            valX = SliceRows(x, trainCount, total - trainCount);
            valY = SliceRows(y, trainCount, total - trainCount);
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

        var plan = new TrainingPlan(epochs, stepsPerEpoch, trainCount, valX?.Shape[0] ?? 0, batchSize, CompiledMetrics.Select(m => m.Name).ToArray(),
            _slab!.Weights.Select(w => w.Name).ToArray());
        var history = new History();
        foreach (var cb in cbs) cb.Attach(this, history);
        foreach (var cb in cbs) cb.OnTrainBegin(plan);

        var random = seed is int s ? new Random(s) : new Random();
        var order = new int[trainCount];
        for (int i = 0; i < trainCount; i++) order[i] = i;
        Shape xFull = WithBatch(x, batchSize), yFull = WithBatch(y, batchSize);
        Shape xPart = WithBatch(x, partial), yPart = WithBatch(y, partial);
        var logs = new BatchLogs(CompiledMetrics.Count, _slab.Weights.Length);
        var epochNorms = new List<double>(stepsPerEpoch);
        var metricSums = new double[CompiledMetrics.Count];

        if (shuffle)
            for (int epoch = 0; epoch < initialEpoch; epoch++) random.Shuffle(order);

        for (int epoch = initialEpoch; epoch < epochs; epoch++)
        {
            foreach (var cb in cbs) cb.OnEpochBegin(epoch);
            if (shuffle) random.Shuffle(order);
            double start = Now(), lossSum = 0;
            int seen = 0;
            Array.Clear(metricSums);
            epochNorms.Clear();
            int epochSteps = epoch == epochs - 1 ? lastEpochSteps : stepsPerEpoch;
            for (int step = 0; step < epochSteps; step++)
            {
                int count = step < fullSteps ? batchSize : partial;
                var xb = Gather(x, order, step * batchSize, count, count == batchSize ? xFull : xPart, ref _xBatch);
                var yb = Gather(y, order, step * batchSize, count, count == batchSize ? yFull : yPart, ref _yBatch);
                float loss = TrainStep(xb, yb, out var output, out bool skipped);
                if (skipped) history.SkippedSteps++;
                logs.Skipped = skipped;
                logs.GradientNorm = LastGradientNorm;
                for (int w = 0; w < logs.WeightGradientNorms.Length; w++) logs.WeightGradientNorms[w] = Math.Sqrt(LastWeightSumsOfSquares[w]);
                history.RecordGradientNorms(logs.GradientNorm, logs.WeightGradientNorms);
                epochNorms.Add(logs.GradientNorm);
                lossSum += (double)loss * count;
                seen += count;
                for (int m = 0; m < metricSums.Length; m++) metricSums[m] += CompiledMetrics[m].Sum(output, yb);

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
            for (int m = 0; m < metricSums.Length; m++) epochLogs[CompiledMetrics[m].Name] = metricSums[m] / seen;
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
        foreach (var cb in cbs) cb.OnTrainEnd(history);
        return history;
    }

    private static bool StopRequested(Callback[] callbacks)
    {
        foreach (var cb in callbacks)
            if (cb.StopTraining) return true;
        return false;
    }

    /// <summary>
    /// Mean loss and metrics over a dataset, in inference mode; for a classifier also the confusion matrix
    /// (<see cref="EvaluationResult.ConfusionMatrix"/>).
    /// </summary>
    public EvaluationResult Evaluate(Tensor x, Tensor y, int batchSize = 32)
    {
        RequireCompiled();
        CheckPair(x, y);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        using var context = Context.Enter();
        int n = x.Shape[0];
        double lossSum = 0;
        var metricSums = new double[CompiledMetrics.Count];
        var (classes, threshold) = Loss!.ClassesOf(OutputShape) ?? (0, 0f);
        int[]? confusion = classes is > 0 and <= EvaluationResult.MaxConfusionClasses ? new int[classes * classes] : null;
        Tensor? xb = null, yb = null;
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            var xs = Gather(x, [], start, count, WithBatch(x, count), ref xb);
            var ys = Gather(y, [], start, count, WithBatch(y, count), ref yb);
            var output = Forward(xs, training: false);
            lossSum += (double)BatchLoss(output, ys) * count;
            for (int m = 0; m < metricSums.Length; m++) metricSums[m] += CompiledMetrics[m].Sum(output, ys);
            if (confusion is not null)
                Kernels.MetricKernels.AccumulateConfusion(output.Span, ys.Span, count, OutputShape.Size, threshold, classes, confusion);
        }
        var metrics = new Dictionary<string, double>();
        for (int m = 0; m < metricSums.Length; m++) metrics[CompiledMetrics[m].Name] = metricSums[m] / n;
        return new EvaluationResult((float)(lossSum / n), metrics, confusion is null ? null : EvaluationResult.Square(confusion, classes));
    }

    /// <summary>The model's outputs for every sample, computed in inference mode in batches.</summary>
    public Tensor Predict(Tensor x, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        using var context = Context.Enter();
        EnsureBuilt(x);
        int n = x.Shape[0];
        var result = new Tensor(OutputShape.WithBatch(n));
        int outSize = OutputShape.Size;
        Tensor? xb = null;
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            var output = Forward(Gather(x, [], start, count, WithBatch(x, count), ref xb), training: false);
            output.Span.CopyTo(result.Span.Slice(start * outSize, count * outSize));
        }
        return result;
    }

    private static Tensor SliceRows(Tensor t, int start, int count) => new(WithBatch(t, count), t.Rows(start, count).ToArray());
}
