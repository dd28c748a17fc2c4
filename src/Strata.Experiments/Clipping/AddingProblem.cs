namespace Strata.Experiments;

/// <summary>
/// The addition problem (Pascanu et al. 2013 §4.1.2, after Hochreiter and Schmidhuber 1997). Each step has two
/// channels: channel 0 is a marker, 1 at exactly two steps p0 ∈ [0, 0.1T) and p1 ∈ [0.1T, 0.5T) and 0 elsewhere;
/// channel 1 is a value drawn from U(0, 1). The target, read from a linear output at the last step and trained
/// with the mean squared error, is (v[p0] + v[p1]) / 2. A sequence is wrong when the squared error exceeds 0.04.
/// The paper's generator also draws the length from [T, 1.1T); here every sequence has exactly T steps, so that
/// a batch is one tensor and lengths compare directly.
/// </summary>
internal sealed class AddingProblem : SequenceTask
{
    /// <summary>The paper's threshold: a squared error above it makes the answer wrong.</summary>
    public const double WrongSquaredError = 0.04;

    public override string Name => "adding";
    public override int Features => 2;
    public override int Outputs => 1;
    public override ActivationFunction OutputActivation => Activations.Linear;
    public override Loss Loss => Losses.MeanSquaredError;

    public override (Tensor X, Tensor Y) Generate(int count, int length, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        var x = new Tensor(new Shape(count, length, Features));
        var y = new Tensor(new Shape(count, 1));
        var xs = x.Span;
        for (int n = 0; n < count; n++)
        {
            int row = n * length * Features;
            for (int t = 0; t < length; t++) xs[row + t * Features + 1] = random.NextSingle();
            var (p0, p1) = Markers(random, length);
            xs[row + p0 * Features] = 1f;
            xs[row + p1 * Features] = 1f;
            y[n] = (xs[row + p0 * Features + 1] + xs[row + p1 * Features + 1]) / 2f;
        }
        return (x, y);
    }

    /// <summary>The two marked steps: p0 ∈ [0, 0.1T), p1 ∈ [0.1T, 0.5T) (each at least one step wide).</summary>
    public static (int P0, int P1) Markers(Random random, int length)
    {
        int p0 = Position(random, 0, 0.1 * length);
        int p1 = Position(random, Math.Max(p0 + 1, 0.1 * length), 0.5 * length);
        return (p0, p1);
    }

    public override int CountWrong(Tensor predictions, Tensor targets)
    {
        int wrong = 0;
        for (int n = 0; n < targets.Length; n++)
        {
            double e = predictions[n] - targets[n];
            if (!(e * e <= WrongSquaredError)) wrong++; // NaN counts as wrong
        }
        return wrong;
    }
}
