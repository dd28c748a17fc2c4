using Strata.Data;

namespace Strata.Cli.Commands;

/// <summary>
/// The memory a model's layers take for one batch, checked against the budget before the first batch runs: the
/// readers' budget bounds what is read, but a batch of 65 536 images through a convolution allocates gigabytes of
/// activations on its own. The estimate counts each layer's output once for inference and three times for training
/// (the output, its gradient and what the layer caches for backward); kernels' scratch buffers come on top, so it
/// is a floor, not a ceiling.
/// </summary>
internal static class ActivationMemory
{
    /// <summary>Bytes of activations for <paramref name="batch"/> samples.</summary>
    public static long Bytes(Model model, int batch, bool training)
    {
        long perSample = model.InputShapes.Sum(s => (long)s.Size) + model.Layers.Where(l => l is not Layers.InputLayer).Sum(l => (long)l.OutputShape.Size);
        return batch * perSample * sizeof(float) * (training ? 3 : 1);
    }

    /// <summary>Refuses a batch whose activations exceed <paramref name="budget"/>, naming the option that sets it.</summary>
    public static void Require(MemoryBudget budget, Model model, int batch, bool training, string batchOption)
    {
        budget.Require(Bytes(model, batch, training),
            $"{(training ? "training" : "running")} model '{model.Name}' on batches of {batch} ({batchOption}; its activations)");
    }
}
