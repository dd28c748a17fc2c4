namespace Strata.Experiments;

/// <summary>
/// What one training run of the batchnorm experiment is: its part of the experiment (<see cref="Group"/>: "main",
/// "learning-rate", "activation" or "init-scale"), which network, and how it is trained.
/// </summary>
public sealed record BatchNormRunSpec(string Group, bool BatchNorm, string Activation, float LearningRate, float InitStddev, int Seed, int Steps, int EvaluateEvery)
{
    /// <summary>"BN" or "plain".</summary>
    public string Network => BatchNorm ? "BN" : "plain";
}
