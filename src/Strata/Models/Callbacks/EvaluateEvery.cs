namespace Strata;

/// <summary>
/// Evaluates the model on held-out data every <see cref="Steps"/> training steps, counted across epochs from the
/// start of the Fit: the accuracy-against-updates curves that papers plot, finer than the once-per-epoch
/// validation of Fit's <c>validationData</c>, and taken at the same steps whatever the batch size and data size.
/// With <c>atStart</c> the untrained model is evaluated first (step 0); the model as trained is always evaluated
/// last, also when the last step is not a multiple of <see cref="Steps"/> or a callback stopped training early.
/// Each evaluation is kept in <see cref="Evaluations"/> and passed to <c>onEvaluation</c>, which can measure more of
/// the model at the same moment (it runs between two steps, with the model in the state that step left it in).
/// </summary>
public sealed class EvaluateEvery : Callback
{
    private readonly Tensor _x, _y;
    private readonly int _batchSize;
    private readonly bool _atStart;
    private readonly Action<StepEvaluation>? _onEvaluation;
    private readonly List<StepEvaluation> _evaluations = [];
    private int _step;

    /// <param name="steps">Training steps between two evaluations.</param>
    /// <param name="x">Held-out inputs.</param>
    /// <param name="y">Their targets.</param>
    /// <param name="batchSize">Samples per evaluation batch (it changes the speed, not the result).</param>
    /// <param name="atStart">Also evaluate before the first step.</param>
    /// <param name="onEvaluation">Called after each evaluation.</param>
    public EvaluateEvery(int steps, Tensor x, Tensor y, int batchSize = 32, bool atStart = false, Action<StepEvaluation>? onEvaluation = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        Steps = steps;
        (_x, _y, _batchSize, _atStart, _onEvaluation) = (x, y, batchSize, atStart, onEvaluation);
    }

    /// <summary>Training steps between two evaluations.</summary>
    public int Steps { get; }

    /// <summary>The evaluations of the last Fit, in step order.</summary>
    public IReadOnlyList<StepEvaluation> Evaluations => _evaluations;

    public override void OnTrainBegin(TrainingPlan plan)
    {
        _step = 0;
        _evaluations.Clear();
        if (_atStart) Evaluate();
    }

    public override void OnBatchEnd(int epoch, BatchLogs logs)
    {
        if (++_step % Steps == 0) Evaluate();
    }

    public override void OnTrainEnd(History history)
    {
        if (_evaluations.Count == 0 || _evaluations[^1].Step != _step) Evaluate();
    }

    private void Evaluate()
    {
        var evaluation = new StepEvaluation(_step, Model!.Evaluate(_x, _y, _batchSize));
        _evaluations.Add(evaluation);
        _onEvaluation?.Invoke(evaluation);
    }
}
