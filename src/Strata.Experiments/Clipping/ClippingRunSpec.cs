namespace Strata.Experiments;

/// <summary>One run of the clipping experiment: which task ("adding" or "temporal-order"), sequence length, clipping mode and seed.</summary>
public sealed record ClippingRunSpec(string Task, int Length, ClipMode Mode, int Seed)
{
    /// <summary>The mode as the option is spelled ("none" without clipping), as the reports write it.</summary>
    public string ModeName => ClippingReport.Name(Mode);
}
