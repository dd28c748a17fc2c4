namespace Strata;

/// <summary>The metrics Strata offers, by Keras's names.</summary>
public static class Metrics
{
    private static readonly BinaryAccuracyMetric s_binaryAccuracy = new(0.5f);
    private static readonly TopKCategoricalAccuracyMetric s_topK = new(5, sparse: false);
    private static readonly TopKCategoricalAccuracyMetric s_sparseTopK = new(5, sparse: true);
    private static readonly MeanAbsoluteErrorMetric s_mae = new("mae");

    /// <summary>
    /// Fraction of samples classified correctly, resolved like Keras's "accuracy": class indices [n] compare
    /// with argmax p; target rows [n, c] compare argmax t with argmax p; a single output compares p &gt; 0.5 with t &gt; 0.5.
    /// </summary>
    public static Metric Accuracy { get; } = new AccuracyMetric();

    /// <summary>Mean over samples of the mean over outputs of |p − t| (Keras's mean_absolute_error).</summary>
    public static Metric MeanAbsoluteError { get; } = new MeanAbsoluteErrorMetric("mean_absolute_error");

    /// <summary>Fraction of outputs where p &gt; <paramref name="threshold"/> equals the 0/1 target (see <see cref="BinaryAccuracyMetric"/>).</summary>
    /// <param name="threshold">0.5 for probabilities; 0 for a model that outputs logits.</param>
    public static BinaryAccuracyMetric BinaryAccuracy(float threshold = 0.5f) =>
        threshold == 0.5f ? s_binaryAccuracy : new BinaryAccuracyMetric(threshold);

    /// <summary>Fraction of samples whose one-hot target class is among the <paramref name="k"/> highest predictions.</summary>
    public static TopKCategoricalAccuracyMetric TopKCategoricalAccuracy(int k = 5) => k == 5 ? s_topK : new(k, sparse: false);

    /// <summary>Fraction of samples whose class index [n] is among the <paramref name="k"/> highest predictions.</summary>
    public static TopKCategoricalAccuracyMetric SparseTopKCategoricalAccuracy(int k = 5) => k == 5 ? s_sparseTopK : new(k, sparse: true);

    /// <summary>
    /// Looks a metric up by its Keras name, with Keras's defaults (threshold 0.5, k = 5). As in Keras, "mae" reports in
    /// the history as mae and "mean_absolute_error" as mean_absolute_error; "acc" reports as accuracy.
    /// </summary>
    public static Metric Get(string name) => name switch
    {
        "accuracy" or "acc" => Accuracy,
        "binary_accuracy" => BinaryAccuracy(),
        "top_k_categorical_accuracy" => TopKCategoricalAccuracy(),
        "sparse_top_k_categorical_accuracy" => SparseTopKCategoricalAccuracy(),
        "mean_absolute_error" => MeanAbsoluteError,
        "mae" => s_mae,
        _ => throw new ArgumentException(
            $"Unknown metric '{name}'. Known: accuracy, binary_accuracy, top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, " +
            "mean_absolute_error (mae).", nameof(name)),
    };
}
