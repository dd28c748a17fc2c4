namespace Strata;

/// <summary>The mean loss and metrics of <see cref="Model.Evaluate(Tensor, Tensor, int)"/>, and a classifier's confusion matrix.</summary>
public sealed class EvaluationResult(float loss, IReadOnlyDictionary<string, double> metrics, int[,]? confusionMatrix = null)
{
    /// <summary>The most classes a confusion matrix is counted for (a larger one is not read as a table; it would take classes² ints).</summary>
    public const int MaxConfusionClasses = 1024;

    /// <summary>Mean loss over all samples.</summary>
    public float Loss => loss;

    /// <summary>Each metric averaged over all samples.</summary>
    public IReadOnlyDictionary<string, double> Metrics => metrics;

    /// <summary>
    /// For a classifier, samples counted by [true class, predicted class] (rows true, columns predicted, as
    /// scikit-learn and <c>tf.math.confusion_matrix</c> lay it out), so the diagonal holds the correct ones. A
    /// classifier is a model compiled with a cross-entropy: sparse (class indices) or categorical (one-hot rows, the
    /// true class their argmax) on an (n, classes) output, or binary cross-entropy on a single output, read as 2
    /// classes (p &gt; 0.5, or logit &gt; 0 with <c>fromLogits</c>). Null otherwise: regression, several independent
    /// binary outputs, or more than <see cref="MaxConfusionClasses"/> classes.
    /// </summary>
    public int[,]? ConfusionMatrix => confusionMatrix;

    /// <summary>One metric by name (<c>accuracy</c>).</summary>
    public double this[string metric] => metrics.TryGetValue(metric, out double v) ? v
        : throw new KeyNotFoundException($"No metric '{metric}'; compiled metrics: {string.Join(", ", metrics.Keys)}.");

    public override string ToString() =>
        $"loss {loss:F4}" + string.Concat(metrics.Select(m => $", {m.Key} {m.Value:F4}"));

    /// <summary>A row-major count buffer as a [classes, classes] matrix.</summary>
    internal static int[,] Square(int[] counts, int classes)
    {
        var matrix = new int[classes, classes];
        Buffer.BlockCopy(counts, 0, matrix, 0, counts.Length * sizeof(int));
        return matrix;
    }
}
