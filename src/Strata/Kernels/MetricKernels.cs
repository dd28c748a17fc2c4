using System.Numerics.Tensors;

namespace Strata.Kernels;

/// <summary>
/// Counts behind the metrics and the confusion matrix. n = rows (samples), c = columns (classes or outputs). Targets
/// are class indices [n] (sparse) or rows [n, c]; which one is told by their length, n or n·c.
/// <para>
/// One sample's classes are read as Keras's <c>accuracy</c> reads them: the predicted class is argmax p, or for a
/// single output p &gt; threshold (class 1) or not (class 0); the true class is the index, argmax t of a target row, or
/// t &gt; 0.5 for a single output.
/// </para>
/// </summary>
internal static class MetricKernels
{
    /// <summary>Samples whose predicted class is their true class.</summary>
    public static int CountCorrect(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, float threshold)
    {
        // predictions: [n, c]; targets: [n] or [n, c]
        int correct = 0;
        for (int r = 0; r < n; r++)
        {
            var (actual, predicted) = Classify(predictions, targets, r, n, c, threshold);
            if (actual == predicted) correct++;
        }
        return correct;
    }

    /// <summary>
    /// Adds each sample to <paramref name="matrix"/>[true class, predicted class], row-major over
    /// <paramref name="classes"/> × <paramref name="classes"/> (2 for a single output, else c).
    /// </summary>
    public static void AccumulateConfusion(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, float threshold,
        int classes, Span<int> matrix)
    {
        // predictions: [n, c]; targets: [n] or [n, c]; matrix: [classes, classes]
        for (int r = 0; r < n; r++)
        {
            var (actual, predicted) = Classify(predictions, targets, r, n, c, threshold);
            actual = LossKernels.CheckLabel(actual, r, classes);
            matrix[actual * classes + predicted]++;
        }
    }

    private static (int Actual, int Predicted) Classify(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int r, int n, int c,
        float threshold)
    {
        var row = predictions.Slice(r * c, c);
        if (c == 1) return (targets[r] > 0.5f ? 1 : 0, row[0] > threshold ? 1 : 0);
        int predicted = TensorPrimitives.IndexOfMax(row);
        int actual = targets.Length == n ? (int)targets[r] : TensorPrimitives.IndexOfMax(targets.Slice(r * c, c));
        return (actual, predicted);
    }

    /// <summary>
    /// Binary accuracy summed over samples: per sample the fraction of its c outputs where (p &gt; threshold) equals t
    /// (Keras compares the 0/1 prediction with the target as it is, so a soft target never matches).
    /// </summary>
    public static double BinaryMatches(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int c, float threshold)
    {
        // predictions, targets: [n, c]
        long matches = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            float predicted = predictions[i] > threshold ? 1f : 0f;
            if (predicted == targets[i]) matches++;
        }
        return c == 0 ? 0 : (double)matches / c;
    }

    /// <summary>
    /// Samples whose true class is among the k highest predictions: fewer than k classes score strictly above it
    /// (ties at the boundary count as in, as TensorFlow's <c>in_top_k</c> has it). The true class is a label
    /// (<paramref name="sparse"/>) or argmax of a target row.
    /// </summary>
    public static int TopKHits(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, bool sparse, int n, int c, int k)
    {
        // predictions: [n, c]; targets: [n] when sparse, else [n, c]
        int hits = 0;
        for (int r = 0; r < n; r++)
        {
            var row = predictions.Slice(r * c, c);
            int label = sparse ? LossKernels.CheckLabel(targets[r], r, c) : TensorPrimitives.IndexOfMax(targets.Slice(r * c, c));
            float score = row[label];
            int above = 0;
            for (int j = 0; j < c && above < k; j++)
                if (row[j] > score) above++;
            if (above < k) hits++;
        }
        return hits;
    }
}
