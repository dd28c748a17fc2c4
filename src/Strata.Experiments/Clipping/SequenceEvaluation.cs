namespace Strata.Experiments;

/// <summary>One evaluation of a clipping run on its fixed set of fresh sequences: the step, the fraction wrong, and the mean loss.</summary>
public sealed record SequenceEvaluation(int Step, double ErrorRate, double Loss);
