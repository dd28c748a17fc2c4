namespace Strata;

/// <summary>
/// One evaluation of <see cref="EvaluateEvery"/>: after how many training steps of the Fit (0 before the first)
/// and the loss and metrics on the held-out data.
/// </summary>
public sealed record StepEvaluation(int Step, EvaluationResult Result);
