using Strata.Layers;

namespace Strata.Experiments;

/// <summary>
/// The test accuracy a BN network would have with its moving statistics replaced by the population statistics of
/// training images (<see cref="Model.RecalibrateBatchNormalization(Tensor, int, int, int)"/>), measured without
/// changing the run: the moving statistics are put back afterwards, so training goes on as if nothing happened.
/// </summary>
internal sealed class RecalibratedAccuracy(Sequential model, Tensor trainImages, int samples, Tensor testImages, Tensor testLabels)
{
    private readonly BatchNormalization[] _layers = [.. model.Layers.OfType<BatchNormalization>()];

    public double Measure()
    {
        var saved = _layers.Select(l => (Mean: l.MovingMean.Value.ToArray(), Variance: l.MovingVariance.Value.ToArray())).ToArray();
        model.RecalibrateBatchNormalization(trainImages, samples, batchSize: 500);
        double accuracy = model.Evaluate(testImages, testLabels, batchSize: 500)["accuracy"];
        for (int i = 0; i < _layers.Length; i++)
        {
            saved[i].Mean.CopyTo(_layers[i].MovingMean.Value);
            saved[i].Variance.CopyTo(_layers[i].MovingVariance.Value);
        }
        return accuracy;
    }
}
