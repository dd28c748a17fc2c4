namespace Strata.Experiments;

/// <summary>One run of model B: with BatchNormalization or not, from scratch or from A's layers, and the seed of its images, weights and shuffling.</summary>
public sealed record TransferRunSpec(bool BatchNorm, bool Reused, int Seed)
{
    /// <summary>The network as the report names it: "BN" or "no BN".</summary>
    public string Network => BatchNorm ? "BN" : "no BN";

    /// <summary>How B starts: "scratch" or "reused".</summary>
    public string Start => Reused ? "reused" : "scratch";

    /// <summary>Both, as a chart's category: "no BN, scratch".</summary>
    public string Label => $"{Network}, {Start}";
}
