namespace Strata.Experiments;

/// <summary>How many of the seeds of one task, length and clipping mode solved the task: a cell of the success table.</summary>
public sealed record ClippingSuccess(string Task, int Length, ClipMode Mode, int Succeeded, int Runs)
{
    /// <summary>Succeeded over runs.</summary>
    public double Rate => Runs == 0 ? 0 : Succeeded / (double)Runs;
}
