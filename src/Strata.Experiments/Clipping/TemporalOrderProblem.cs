namespace Strata.Experiments;

/// <summary>
/// The temporal order problem (Pascanu et al. 2013 §4.1.1, after Hochreiter and Schmidhuber 1997). Each step is a
/// one-hot symbol over six channels: A, B and four distractors c, d, e, f. Every step holds a random distractor
/// except two: p0 ∈ [0.1T, 0.2T) and p1 ∈ [0.5T, 0.6T) hold A or B (the ranges of the paper's tempOrder.py). The
/// class, read from a softmax over four units at the last step, is v0 + 2·v1 with A = 0 and B = 1 (AA, BA, AB, BB).
/// A sequence is wrong when its most probable class is not the target.
/// </summary>
internal sealed class TemporalOrderProblem : SequenceTask
{
    /// <summary>Channels of the two symbols that matter; the distractors are channels 2–5.</summary>
    public const int A = 0, B = 1, Distractors = 4;

    public override string Name => "temporal-order";
    public override int Features => 6;
    public override int Outputs => 4;
    public override ActivationFunction OutputActivation => Activations.Softmax;
    public override Loss Loss => Losses.SparseCategoricalCrossentropy;

    public override (Tensor X, Tensor Y) Generate(int count, int length, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 4);
        var x = new Tensor(new Shape(count, length, Features));
        var y = new Tensor(new Shape(count));
        var xs = x.Span;
        for (int n = 0; n < count; n++)
        {
            int row = n * length * Features;
            var (p0, p1) = Markers(random, length);
            int v0 = random.Next(2), v1 = random.Next(2);
            for (int t = 0; t < length; t++)
            {
                int symbol = t == p0 ? v0 : t == p1 ? v1 : 2 + random.Next(Distractors);
                xs[row + t * Features + symbol] = 1f;
            }
            y[n] = v0 + 2 * v1;
        }
        return (x, y);
    }

    /// <summary>The two informative steps: p0 ∈ [0.1T, 0.2T), p1 ∈ [0.5T, 0.6T) (each at least one step wide).</summary>
    public static (int P0, int P1) Markers(Random random, int length) =>
        (Position(random, 0.1 * length, 0.2 * length), Position(random, 0.5 * length, 0.6 * length));

    public override int CountWrong(Tensor predictions, Tensor targets)
    {
        int classes = predictions.Length / targets.Length, wrong = 0;
        var p = predictions.Span;
        for (int n = 0; n < targets.Length; n++)
        {
            var row = p.Slice(n * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            if (best != (int)targets[n] || !float.IsFinite(row[best])) wrong++;
        }
        return wrong;
    }
}
