namespace Strata;

public partial class Model
{
    /// <summary>A value Fit and Evaluate report besides the loss: a metric of an output, or an output's own loss.</summary>
    /// <param name="Name">Its key in History and in <see cref="EvaluationResult.Metrics"/>.</param>
    /// <param name="Metric">The metric; null for the output's loss.</param>
    /// <param name="Output">The output it is measured on.</param>
    private readonly record struct Report(string Name, Metric? Metric, int Output);

    private Report[] _reports = [];

    /// <summary>
    /// What Fit and Evaluate report: for one output its metrics by name (<c>accuracy</c>); for several, as tf.keras does,
    /// each output's loss (<c>dense_loss</c>, <c>dense_1_loss</c>), then each output's metrics (<c>dense_accuracy</c>, …).
    /// </summary>
    private void ResolveReports()
    {
        if (_outputs.Length <= 1)
        {
            _reports = [.. CompiledMetrics.Select(m => new Report(m.Name, m, 0))];
            return;
        }
        var reports = new List<Report>();
        for (int j = 0; j < _outputs.Length; j++) reports.Add(new Report($"{_outputNames[j]}_loss", null, j));
        for (int j = 0; j < _outputs.Length; j++)
            foreach (var metric in CompiledMetrics) reports.Add(new Report($"{_outputNames[j]}_{metric.Name}", metric, j));
        _reports = [.. reports];
    }

    /// <summary>Adds each reported value's sum over a batch of <paramref name="count"/> samples (after its loss) to <paramref name="sums"/>.</summary>
    private void AddReports(Tensor[] outputs, ReadOnlySpan<Tensor> y, int count, Span<double> sums)
    {
        for (int r = 0; r < _reports.Length; r++)
        {
            var (_, metric, j) = _reports[r];
            sums[r] += metric is null ? (double)_outputLosses[j] * count : metric.Sum(outputs[j], y[j]);
        }
    }

    /// <summary>
    /// Mean loss and metrics over a dataset, in inference mode; for a classifier also the confusion matrix
    /// (<see cref="EvaluationResult.ConfusionMatrix"/>).
    /// </summary>
    public EvaluationResult Evaluate(Tensor x, Tensor y, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Evaluate([x], [y], batchSize);
    }

    /// <summary>
    /// Evaluates a model of several inputs or outputs (one tensor each, in model order): the loss is the sum of the
    /// outputs' losses; with several outputs each output's loss and metrics are reported under its name, and there is
    /// no confusion matrix.
    /// </summary>
    public EvaluationResult Evaluate(Tensor[] x, Tensor[] y, int batchSize = 32)
    {
        RequireCompiled();
        CheckPair(Checked(x), Checked(y));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        using var context = Context.Enter();
        int n = x[0].Shape[0];
        var sums = new double[1 + _reports.Length];
        var (classes, _) = _outputs.Length == 1 ? Loss!.ClassesOf(_outputShapes[0]) ?? (0, 0f) : (0, 0f);
        int[]? confusion = classes is > 0 and <= EvaluationResult.MaxConfusionClasses ? new int[classes * classes] : null;
        AccumulateEvaluation(x, y, batchSize, 0, n, sums, confusion);
        return Evaluation(sums, n, confusion);
    }

    /// <summary>
    /// Adds the loss sum (sums[0]) and each reported sum (sums[1 + r]) of samples [from, to), in inference mode in
    /// batches, and their confusion counts when <paramref name="confusion"/> is given.
    /// </summary>
    private void AccumulateEvaluation(Tensor[] x, Tensor[] y, int batchSize, int from, int to, Span<double> sums, int[]? confusion)
    {
        var (classes, threshold) = _outputs.Length == 1 ? Loss!.ClassesOf(_outputShapes[0]) ?? (0, 0f) : (0, 0f);
        var xb = new Tensor?[x.Length];
        var yb = new Tensor?[y.Length];
        var xs = new Tensor[x.Length];
        var ys = new Tensor[y.Length];
        for (int start = from; start < to; start += batchSize)
        {
            int count = Math.Min(batchSize, to - start);
            for (int i = 0; i < x.Length; i++) xs[i] = Gather(x[i], [], start, count, WithBatch(x[i], count), ref xb[i]);
            for (int j = 0; j < y.Length; j++) ys[j] = Gather(y[j], [], start, count, WithBatch(y[j], count), ref yb[j]);
            var outputs = _executor!.Forward(xs, training: false);
            sums[0] += (double)BatchLoss(outputs, ys) * count;
            AddReports(outputs, ys, count, sums[1..]);
            if (confusion is not null)
                Kernels.MetricKernels.AccumulateConfusion(outputs[0].Span, ys[0].Span, count, _outputShapes[0].Size, threshold, classes, confusion);
        }
    }

    /// <summary>The means of the sums of <see cref="AccumulateEvaluation"/> over <paramref name="n"/> samples.</summary>
    private EvaluationResult Evaluation(ReadOnlySpan<double> sums, int n, int[]? confusion)
    {
        var metrics = new Dictionary<string, double>();
        for (int r = 0; r < _reports.Length; r++) metrics[_reports[r].Name] = sums[1 + r] / n;
        int classes = confusion is null ? 0 : (int)Math.Round(Math.Sqrt(confusion.Length));
        return new EvaluationResult((float)(sums[0] / n), metrics, confusion is null ? null : EvaluationResult.Square(confusion, classes));
    }

    /// <summary>The model's outputs for every sample, computed in inference mode in batches.</summary>
    /// <exception cref="InvalidOperationException">The model has several inputs or outputs (use the overload for arrays).</exception>
    public Tensor Predict(Tensor x, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(x);
        EnsureBuilt(new ReadOnlySpan<Tensor>(in x));
        RequireSingleOutput(nameof(Predict));
        return Predict([x], batchSize)[0];
    }

    /// <summary>Each output of the model for every sample (one tensor per input, in model order), in inference mode in batches.</summary>
    public Tensor[] Predict(Tensor[] x, int batchSize = 32)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        using var context = Context.Enter();
        EnsureBuilt(Checked(x));
        int n = x[0].Shape[0];
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i].Shape[0] != n)
                throw new ArgumentException($"Model '{Name}': inputs {x[0].Shape} and {x[i].Shape} must have the same number of samples.", nameof(x));
        }
        CheckInputShapes(x);
        var results = _outputShapes.Select(s => new Tensor(s.WithBatch(n))).ToArray();
        var xb = new Tensor?[x.Length];
        var xs = new Tensor[x.Length];
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            for (int i = 0; i < x.Length; i++) xs[i] = Gather(x[i], [], start, count, WithBatch(x[i], count), ref xb[i]);
            var outputs = _executor!.Forward(xs, training: false);
            for (int j = 0; j < outputs.Length; j++)
            {
                int size = _outputShapes[j].Size;
                outputs[j].Span.CopyTo(results[j].Span.Slice(start * size, count * size));
            }
        }
        return results;
    }
}
