using Strata.Experiments.Reporting;
using Strata.Layers;

namespace Strata.Experiments;

/// <summary>
/// Ioffe and Szegedy's Fig. 1 (b, c): the 15th, 50th and 85th percentiles of one unit's input to the last hidden
/// nonlinearity over a fixed probe batch, in inference mode, and for a BN network also normalized with the probe
/// batch's own statistics, as in a training step. <see cref="Measure"/> turns an <see cref="EvaluateEvery"/>
/// evaluation into a <see cref="BatchNormCheckpoint"/> with the percentiles of the same moment.
/// </summary>
internal sealed class SigmoidInputProbe
{
    private readonly Sequential _model;
    private readonly Tensor _probeX;
    private readonly int _probeLayer, _unit;

    public SigmoidInputProbe(Sequential model, Tensor probeX, int unit)
    {
        _model = model;
        _probeX = probeX;
        _probeLayer = LastHiddenActivation(model.Layers);
        _unit = unit;
    }

    public BatchNormCheckpoint Measure(StepEvaluation evaluation)
    {
        // Run the layers below the last hidden nonlinearity on the fixed batch and read one column.
        Tensor h = _probeX;
        Tensor? belowBn = null;
        for (int i = 0; i < _probeLayer; i++)
        {
            if (i == _probeLayer - 1 && _model.Layers[i] is BatchNormalization) belowBn = h;
            h = _model.Layers[i].Forward(h, training: false);
        }
        var column = Column(h);
        var checkpoint = new BatchNormCheckpoint(evaluation.Step, evaluation.Result["accuracy"], evaluation.Result.Loss,
            Percentiles.Of(column, 15), Percentiles.Of(column, 50), Percentiles.Of(column, 85));
        if (belowBn is not null && _model.Layers[_probeLayer - 1] is BatchNormalization bn)
        {
            // As in a training step, without touching the moving statistics: ẑ = γ(u − μ_B)/√(σ²_B + ε) + β over the probe batch.
            var u = Column(belowBn);
            double mean = u.Average(), variance = u.Average(v => (v - mean) * (v - mean));
            double gamma = bn.Gamma?.Value[_unit] ?? 1, beta = bn.Beta?.Value[_unit] ?? 0;
            var z = u.Select(v => gamma * (v - mean) / Math.Sqrt(variance + bn.Epsilon) + beta).ToArray();
            checkpoint = checkpoint with { BatchP15 = Percentiles.Of(z, 15), BatchP50 = Percentiles.Of(z, 50), BatchP85 = Percentiles.Of(z, 85) };
        }
        return checkpoint;
    }

    private double[] Column(Tensor t)
    {
        int units = t.Length / t.Shape[0];
        var column = new double[t.Shape[0]];
        var span = t.Span;
        for (int r = 0; r < column.Length; r++) column[r] = span[r * units + _unit];
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
