using Strata.Layers;

namespace Strata.Cli.Experiments;

/// <summary>One evaluation during training: the step, the test accuracy, and the probe unit's input percentiles.</summary>
internal sealed record Checkpoint(int Step, double TestAccuracy, double TestLoss, double P15, double P50, double P85);

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
        for (int i = 0; i < probeLayer; i++) h = model.Layers[i].Forward(h, training: false);
        int units = h.Length / h.Shape[0];
        var column = new double[h.Shape[0]];
        var span = h.Span;
        for (int r = 0; r < column.Length; r++) column[r] = span[r * units + probeUnit];
        Checkpoints.Add(new Checkpoint(_step, result["accuracy"], result.Loss,
            Percentiles.Of(column, 15), Percentiles.Of(column, 50), Percentiles.Of(column, 85)));
    }

    /// <summary>The index of the last <see cref="Activation"/> layer that is followed by a Dense layer: its input is the probe.</summary>
    public static int LastHiddenActivation(IReadOnlyList<Layer> layers)
    {
        for (int i = layers.Count - 2; i >= 0; i--)
            if (layers[i] is Activation && layers.Skip(i + 1).Any(l => l is Dense)) return i;
        throw new ArgumentException("The model has no Activation layer below a Dense layer to probe.");
    }
}
