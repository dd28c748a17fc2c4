using Strata.Optimizers;

namespace Strata;

public partial class Model
{
    private float[] _outputLosses = [];

    /// <summary>
    /// Forward in training mode on one batch, then backward: returns each trainable weight's gradient of the
    /// mean loss (the custom loop's first step). Nothing is updated.
    /// </summary>
    public Gradients ComputeGradients(Tensor x, Tensor y) => ComputeGradients(new ReadOnlySpan<Tensor>(in x), new ReadOnlySpan<Tensor>(in y));

    /// <inheritdoc cref="ComputeGradients(Tensor, Tensor)"/>
    /// <param name="x">One batch per model input.</param>
    /// <param name="y">One batch of targets per model output.</param>
    public Gradients ComputeGradients(Tensor[] x, Tensor[] y) => ComputeGradients(Checked(x), Checked(y));

    private Gradients ComputeGradients(ReadOnlySpan<Tensor> x, ReadOnlySpan<Tensor> y)
    {
        RequireCompiled();
        CheckPair(x, y);
        using var context = Context.Enter();
        var gradients = _gradients!;
        gradients.Context = Context;
        gradients.Loss = ForwardBackward(x, y);
        return gradients;
    }

    /// <summary>
    /// One training step on one batch; returns its mean loss. A non-finite loss or gradient skips the update; the
    /// overload with <c>out bool skipped</c> tells when.
    /// </summary>
    public float TrainOnBatch(Tensor x, Tensor y) => TrainOnBatch(x, y, out _);

    /// <summary>
    /// One training step on one batch; returns its mean loss, and in <paramref name="skipped"/> whether the update was
    /// skipped because the loss or a gradient was not finite — the weights, moving statistics and optimizer state are
    /// then as they were, as in a step <see cref="Fit(Tensor, Tensor, int, int, float, ValueTuple{Tensor, Tensor}?, bool, int?, IEnumerable{Callback}?, bool, int, int, int?, Distributed.Communicator?)"/>
    /// counts in <see cref="History.SkippedSteps"/>. A returned non-finite loss always means a skipped step, but a
    /// finite loss can be skipped too (an overflowing gradient). Compiled with <see cref="NonFiniteGradients.Throw"/>,
    /// such a step throws instead.
    /// </summary>
    public float TrainOnBatch(Tensor x, Tensor y, out bool skipped) =>
        TrainOnBatch(new ReadOnlySpan<Tensor>(in x), new ReadOnlySpan<Tensor>(in y), out skipped);

    /// <summary>One training step on a batch of each input and output; returns the summed mean loss of the outputs.</summary>
    /// <param name="x">One batch per model input.</param>
    /// <param name="y">One batch of targets per model output.</param>
    public float TrainOnBatch(Tensor[] x, Tensor[] y) => TrainOnBatch(x, y, out _);

    /// <inheritdoc cref="TrainOnBatch(Tensor, Tensor, out bool)"/>
    /// <param name="x">One batch per model input.</param>
    /// <param name="y">One batch of targets per model output.</param>
    /// <param name="skipped">Whether the update was skipped.</param>
    public float TrainOnBatch(Tensor[] x, Tensor[] y, out bool skipped) => TrainOnBatch(Checked(x), Checked(y), out skipped);

    private float TrainOnBatch(ReadOnlySpan<Tensor> x, ReadOnlySpan<Tensor> y, out bool skipped)
    {
        RequireCompiled();
        CheckPair(x, y);
        using var context = Context.Enter();
        return TrainStep(x, y, out skipped);
    }

    /// <summary>‖g‖₂ over all gradients of the last training step, before clipping.</summary>
    internal double LastGradientNorm { get; private set; }

    /// <summary>
    /// One step; with <paramref name="firstCall"/> above 0, <paramref name="x"/> holds one batch of what call
    /// <paramref name="firstCall"/> − 1 outputs (cached features of a frozen prefix) and the calls before are not run.
    /// </summary>
    private float TrainStep(ReadOnlySpan<Tensor> x, ReadOnlySpan<Tensor> y, out bool skipped, int firstCall = 0)
    {
        float loss = ForwardBackward(x, y, firstCall);
        if (_communicator is { } communicator) loss = ReduceStep(communicator, loss, y, x[0].Shape[0]);
        // A NaN or ∞ anywhere in the gradients would spread into every weight it touches: skip the update.
        // The same pass gives each weight's gradient norm before clipping, which Fit records.
        double sumOfSquares = _slab!.GradientSumOfSquares(_weightSumsOfSquares);
        LastGradientNorm = Math.Sqrt(sumOfSquares);
        skipped = !float.IsFinite(loss) || !double.IsFinite(sumOfSquares) || !Optimizer!.Apply(_gradients!, sumOfSquares);
        if (skipped) AbandonStep();
        if (RecordsLayerNorms) SumLayerSquares(skipped);
        if (skipped && NonFiniteGradients == NonFiniteGradients.Throw)
        {
            throw new NonFiniteGradientException(
                $"Model '{Name}': the loss ({loss}) or the gradients (global norm {Math.Sqrt(sumOfSquares)}) are not finite; the weights were left unchanged. A lower learning rate or gradient clipping usually helps.");
        }
        return loss;
    }

    /// <summary>Undoes the state changes of the last training pass (moving statistics) for a step that was not applied.</summary>
    private void AbandonStep() => _executor!.AbandonStep();

    /// <summary>
    /// Zero gradients, forward in training mode, the loss of each output and its dL/dy (dL/dz straight from the loss when
    /// it fuses with the output's activation), backward. Returns the sum of the outputs' mean losses; each is kept in
    /// <see cref="_outputLosses"/>.
    /// </summary>
    private float ForwardBackward(ReadOnlySpan<Tensor> x, ReadOnlySpan<Tensor> y, int firstCall = 0)
    {
        FollowTrainable();
        _slab!.Reclaim(); // a layer shared with another model may have been packed there since
        _slab.ZeroGradients();
        var executor = _executor!;
        var outputs = firstCall == 0 ? executor.Forward(x, training: true) : executor.ForwardFrom(firstCall, x[0], training: true);
        executor.BeginBackward();
        float loss = 0;
        for (int j = 0; j < outputs.Length; j++)
        {
            var output = outputs[j];
            var dOutput = Tensor.Ensure(ref _dOutputs[j], output.Shape);
            float outputLoss;
            if (executor.FusedOutput(j, Loss!) is { } fused)
            {
                outputLoss = Loss!.ComputeFromLogits(fused.Logits, output, y[j], dOutput.Span);
                ScaleByShare(dOutput);
                executor.AddLogitsGradient(j, dOutput);
            }
            else
            {
                outputLoss = Loss!.Compute(output, y[j], dOutput.Span);
                ScaleByShare(dOutput);
                executor.AddOutputGradient(j, dOutput);
            }
            _outputLosses[j] = outputLoss;
            loss += outputLoss;
        }
        executor.Backward();
        return loss;
    }

    /// <summary>
    /// dL/dy·n_r/n on a rank of a data-parallel step (<see cref="_lossShare"/>): the gradient of the rank's samples'
    /// part of the global batch's mean loss, so that the ranks' gradients add up to the global batch's.
    /// </summary>
    private void ScaleByShare(Tensor dOutput)
    {
        if (_lossShare != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(dOutput.Span, _lossShare, dOutput.Span);
    }

    /// <summary>The summed mean loss of a batch in inference mode, computed as in training; each output's in <see cref="_outputLosses"/>.</summary>
    private float BatchLoss(Tensor[] outputs, ReadOnlySpan<Tensor> y)
    {
        float loss = 0;
        for (int j = 0; j < outputs.Length; j++)
        {
            float outputLoss = _executor!.FusedOutput(j, Loss!) is { } fused
                ? Loss!.ComputeFromLogits(fused.Logits, outputs[j], y[j], [])
                : Loss!.Compute(outputs[j], y[j], []);
            _outputLosses[j] = outputLoss;
            loss += outputLoss;
        }
        return loss;
    }
}
