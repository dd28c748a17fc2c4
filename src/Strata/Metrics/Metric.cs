using System.Numerics.Tensors;

namespace Strata;

/// <summary>A metric averaged over samples: each call returns the SUM over a batch, the model divides by the count.</summary>
public abstract class Metric
{
    /// <summary>Keras's name, the key in <see cref="History"/> (<c>accuracy</c>, <c>val_accuracy</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The metric summed over the batch's samples.</summary>
    public abstract double Sum(Tensor predictions, Tensor targets);

    /// <summary>Looks a metric up by its Keras name.</summary>
    public static implicit operator Metric(string name) => Metrics.Get(name);

    public override string ToString() => Name;
}

/// <summary>The metrics Strata offers.</summary>
public static class Metrics
{
    /// <summary>
    /// Fraction of samples classified correctly, resolved like Keras's "accuracy": class indices [n] compare
    /// with argmax p; target rows [n, c] compare argmax t with argmax p; a single output compares p &gt; 0.5 with t.
    /// </summary>
    public static Metric Accuracy { get; } = new AccuracyMetric();

    /// <summary>Looks a metric up by its Keras name.</summary>
    public static Metric Get(string name) => name switch
    {
        "accuracy" or "acc" => Accuracy,
        _ => throw new ArgumentException($"Unknown metric '{name}'. Known: accuracy.", nameof(name)),
    };

    private sealed class AccuracyMetric : Metric
    {
        public override string Name => "accuracy";

        public override double Sum(Tensor predictions, Tensor targets)
        {
            int n = predictions.Shape[0];
            if (n == 0) return 0;
            int c = predictions.Length / n;
            var p = predictions.Span;
            var t = targets.Span;
            int correct = 0;
            for (int r = 0; r < n; r++)
            {
                var row = p.Slice(r * c, c);
                int predicted = c == 1 ? (row[0] > 0.5f ? 1 : 0) : TensorPrimitives.IndexOfMax(row);
                int actual = targets.Length == n
                    ? (int)t[r]
                    : c == 1 ? (t[r] > 0.5f ? 1 : 0) : TensorPrimitives.IndexOfMax(t.Slice(r * c, c));
                if (predicted == actual) correct++;
            }
            return correct;
        }
    }
}
