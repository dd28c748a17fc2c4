namespace Strata.Experiments;

/// <summary>
/// A synthetic long-term-memory task of Pascanu, Mikolov and Bengio (2013, §4.1): sequences [n, T, features] whose
/// target depends on a few marked steps far apart, and the paper's rule for when an answer is wrong.
/// </summary>
internal abstract class SequenceTask
{
    /// <summary>Name used on the command line, in files and charts.</summary>
    public abstract string Name { get; }

    /// <summary>Input channels per time step.</summary>
    public abstract int Features { get; }

    /// <summary>Units of the output layer.</summary>
    public abstract int Outputs { get; }

    /// <summary>The output layer's activation (linear for regression, softmax for classification).</summary>
    public abstract ActivationFunction OutputActivation { get; }

    /// <summary>The loss trained on.</summary>
    public abstract Loss Loss { get; }

    /// <summary><paramref name="count"/> fresh sequences of <paramref name="length"/> steps: inputs [count, length, Features] and targets.</summary>
    public abstract (Tensor X, Tensor Y) Generate(int count, int length, Random random);

    /// <summary>How many of the predictions (the model's outputs for a generated set) the paper counts as wrong.</summary>
    public abstract int CountWrong(Tensor predictions, Tensor targets);

    /// <summary>The paper's success criterion: fewer than 1% of fresh sequences wrong.</summary>
    public const double SuccessErrorRate = 0.01;

    /// <summary>Whether an error rate (wrong / total) counts as solved.</summary>
    public static bool Succeeded(double errorRate) => errorRate < SuccessErrorRate;

    /// <summary>A uniformly drawn position in [⌊from⌋, max(⌊from⌋ + 1, ⌊to⌋)), so that even short sequences have one.</summary>
    protected static int Position(Random random, double from, double to)
    {
        int low = (int)Math.Floor(from), high = Math.Max(low + 1, (int)Math.Floor(to));
        return random.Next(low, high);
    }
}
