namespace Strata.Experiments;

/// <summary>
/// One evaluation during a batchnorm run: the step (0 before any update), the test accuracy and loss, and the
/// probe unit's input percentiles in inference mode (P15, P50, P85) and, for a BN network, normalized with the
/// probe batch's own statistics as in a training step (BatchP15, BatchP50, BatchP85; NaN without BN). For a BN network
/// also the test accuracy with the moving statistics replaced by the population statistics of training samples
/// (RecalibratedAccuracy, <see cref="Model.RecalibrateBatchNormalization(Tensor, int, int, int)"/>; NaN without BN):
/// TestAccuracy − RecalibratedAccuracy is the train/inference gap that moving averages leave.
/// </summary>
public sealed record BatchNormCheckpoint(int Step, double TestAccuracy, double TestLoss, double P15, double P50, double P85,
    double BatchP15 = double.NaN, double BatchP50 = double.NaN, double BatchP85 = double.NaN, double RecalibratedAccuracy = double.NaN);
