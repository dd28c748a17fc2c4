namespace Strata.Experiments;

/// <summary>One run of the residual experiment: the variant and the seed of its weights and shuffling.</summary>
public sealed record ResidualRunSpec(ResidualVariant Variant, int Seed)
{
    /// <summary>The variant as the report names it: "BN", "no BN", "Fixup".</summary>
    public string Label => Variant switch
    {
        ResidualVariant.BatchNorm => "BN",
        ResidualVariant.NoNormalization => "no BN",
        _ => "Fixup",
    };
}
