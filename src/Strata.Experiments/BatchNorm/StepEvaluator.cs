using Strata.Experiments.Reporting;
using Strata.Layers;

namespace Strata.Experiments;

/// <summary>
/// One evaluation during training: the step, the test accuracy, and the probe unit's input percentiles in inference
/// mode (P15, P50, P85) and, for a BN network, normalized with the probe batch's own statistics as in a training
/// step (BatchP15, BatchP50, BatchP85; NaN without BN).
/// </summary>
internal sealed record Checkpoint(int Step, double TestAccuracy, double TestLoss, double P15, double P50, double P85,
    double BatchP15 = double.NaN, double BatchP50 = double.NaN, double BatchP85 = double.NaN);

/// <summary>
/// A callback that counts steps across epochs, evaluates the model on a fixed test set every
/// <c>evaluateEvery</c> steps (and at step 0, before any update), and stops training after <c>totalSteps</c>.
/// At each evaluation it also records the 15th, 50th and 85th percentiles of one unit's input to the last
/// hidden nonlinearity over a fixed probe batch (Ioffe and Szegedy's Fig. 1 b, c), in inference mode.
/// </summary>
internal sealed class StepEvaluator(Tensor testX, Tensor testY, Tensor probeX, int probeLayer, int probeUnit,
    int evaluateEvery, int totalSteps) : Callback
{
    private int _step;

    /// <summary>The evaluations so far, in step order.</summary>
    public List<Checkpoint> Checkpoints { get; } = [];

    /// <summary>Steps whose loss or gradient was not finite (Fit skipped their update).</summary>
    public int SkippedSteps { get; private set; }

    /// <summary>The first step whose loss was not finite, or null.</summary>
    public int? FirstNonFiniteStep { get; private set; }

    public override void OnTrainBegin(TrainingPlan plan) => Evaluate();

    public override void OnBatchEnd(int epoch, BatchLogs logs)
    {
        _step++;
        if (logs.Skipped || !double.IsFinite(logs.BatchLoss))
        {
            SkippedSteps++;
            FirstNonFiniteStep ??= _step;
        }
        if (_step % evaluateEvery == 0 || _step == totalSteps) Evaluate();
        if (_step >= totalSteps) StopTraining = true;
    }

    private void Evaluate()
    {
        var model = Model!;
        var result = model.Evaluate(testX, testY, batchSize: 500);
        // The probe: run the layers below the last hidden nonlinearity on the fixed batch and read one column.
        Tensor h = probeX;
        Tensor? belowBn = null;
        for (int i = 0; i < probeLayer; i++)
        {
            if (i == probeLayer - 1 && model.Layers[i] is BatchNormalization) belowBn = h;
            h = model.Layers[i].Forward(h, training: false);
        }
        var column = Column(h);
        var checkpoint = new Checkpoint(_step, result["accuracy"], result.Loss,
            Percentiles.Of(column, 15), Percentiles.Of(column, 50), Percentiles.Of(column, 85));
        if (belowBn is not null && model.Layers[probeLayer - 1] is BatchNormalization bn)
        {
            // As in a training step, without touching the moving statistics: ẑ = γ(u − μ_B)/√(σ²_B + ε) + β over the probe batch.
            var u = Column(belowBn);
            double mean = u.Average(), variance = u.Average(v => (v - mean) * (v - mean));
            double gamma = bn.Gamma?.Value[probeUnit] ?? 1, beta = bn.Beta?.Value[probeUnit] ?? 0;
            var z = u.Select(v => gamma * (v - mean) / Math.Sqrt(variance + bn.Epsilon) + beta).ToArray();
            checkpoint = checkpoint with { BatchP15 = Percentiles.Of(z, 15), BatchP50 = Percentiles.Of(z, 50), BatchP85 = Percentiles.Of(z, 85) };
        }
        Checkpoints.Add(checkpoint);
    }

    private double[] Column(Tensor t)
    {
        int units = t.Length / t.Shape[0];
        var column = new double[t.Shape[0]];
        var span = t.Span;
        for (int r = 0; r < column.Length; r++) column[r] = span[r * units + probeUnit];
        return column;
    }

    /// <summary>The index of the last <see cref="Activation"/> layer that is followed by a Dense layer: its input is the probe.</summary>
    public static int LastHiddenActivation(IReadOnlyList<Layer> layers)
    {
        for (int i = layers.Count - 2; i >= 0; i--)
            if (layers[i] is Activation && layers.Skip(i + 1).Any(l => l is Dense)) return i;
        throw new ArgumentException("The model has no Activation layer below a Dense layer to probe.");
    }
}
