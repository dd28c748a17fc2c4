using System.Numerics.Tensors;

namespace Strata.Kernels;

/// <summary>
/// Loss values and their gradients. Each returns the SUM of per-sample losses (the caller divides by the
/// batch) and writes the gradient of the MEAN loss, scaled by <c>1/n</c>, so Backward needs no extra pass.
/// n = rows (samples), c = columns (classes or outputs).
/// </summary>
internal static class LossKernels
{
    /// <summary>
    /// Softmax cross-entropy from logits with integer labels, reusing the probabilities p = softmax(z) the
    /// layer already computed. Per row: loss = log Σⱼ e^(zⱼ) − z_y = (max z − z_y) − log p_argmax, because
    /// p_argmax = 1/Σⱼ e^(zⱼ − max z) ≥ 1/c never underflows. Gradient: dz = (p − onehot(y))/n.
    /// </summary>
    public static double SparseSoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities,
        ReadOnlySpan<float> labels, int n, int c, Span<float> dLogits)
    {
        // logits, probabilities, dLogits: [n, c]; labels: [n]
        double total = 0;
        float invN = 1f / n;
        for (int r = 0; r < n; r++)
        {
            int label = CheckLabel(labels[r], r, c);
            var z = logits.Slice(r * c, c);
            var p = probabilities.Slice(r * c, c);
            int top = TensorPrimitives.IndexOfMax(z);
            total += (double)z[top] - z[label] - Math.Log(p[top]);
            if (dLogits.IsEmpty) continue;
            var dz = dLogits.Slice(r * c, c);
            TensorPrimitives.Multiply(p, invN, dz);
            dz[label] -= invN;
        }
        return total;
    }

    /// <summary>
    /// Softmax cross-entropy from logits with target distributions t (one-hot or soft):
    /// loss = Σⱼ tⱼ·(lse(z) − zⱼ); dz = (p·Σt − t)/n.
    /// </summary>
    public static double SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities,
        ReadOnlySpan<float> targets, int n, int c, Span<float> dLogits)
    {
        // logits, probabilities, targets, dLogits: [n, c]
        double total = 0;
        float invN = 1f / n;
        for (int r = 0; r < n; r++)
        {
            var z = logits.Slice(r * c, c);
            var p = probabilities.Slice(r * c, c);
            var t = targets.Slice(r * c, c);
            int top = TensorPrimitives.IndexOfMax(z);
            double lse = z[top] - Math.Log(p[top]);
            double tSum = 0, tz = 0;
            for (int j = 0; j < c; j++)
            {
                tSum += t[j];
                tz += (double)t[j] * z[j];
            }
            total += lse * tSum - tz;
            if (dLogits.IsEmpty) continue;
            var dz = dLogits.Slice(r * c, c);
            for (int j = 0; j < c; j++) dz[j] = (float)((p[j] * tSum - t[j]) * invN);
        }
        return total;
    }

    /// <summary>
    /// Cross-entropy on probabilities (an output that is not a fused softmax), as Keras computes it:
    /// q = clip(p/Σp, ε, 1 − ε), loss = −Σⱼ tⱼ log qⱼ. With integer labels, t is one-hot.
    /// Gradient: dpⱼ = (Σt/Σp − tⱼ/(qⱼΣp))/n, with the clipped elements' direct term dropped.
    /// </summary>
    public static double CrossEntropyFromProbabilities(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets,
        bool sparse, int n, int c, float epsilon, Span<float> dProbabilities)
    {
        // probabilities, dProbabilities: [n, c]; targets: [n] when sparse, else [n, c]
        double total = 0;
        double invN = 1.0 / n;
        for (int r = 0; r < n; r++)
        {
            var p = probabilities.Slice(r * c, c);
            int label = sparse ? CheckLabel(targets[r], r, c) : -1;
            double pSum = TensorPrimitives.Sum(p);
            double tSum = sparse ? 1 : TensorPrimitives.Sum(targets.Slice(r * c, c));
            for (int j = 0; j < c; j++)
            {
                double t = sparse ? (j == label ? 1 : 0) : targets[r * c + j];
                double q = p[j] / pSum;
                bool clipped = q < epsilon || q > 1 - epsilon;
                q = Math.Clamp(q, epsilon, 1 - epsilon);
                if (t != 0) total -= t * Math.Log(q);
                if (dProbabilities.IsEmpty) continue;
                double direct = clipped || t == 0 ? 0 : t / (q * pSum);
                dProbabilities[r * c + j] = (float)((tSum / pSum - direct) * invN);
            }
        }
        return total;
    }

    /// <summary>
    /// Mean squared error: per sample the mean over its c outputs of (p − t)², so the sum over samples is
    /// Σ(p − t)²/c; gradient of the batch mean: d = 2(p − t)/(n·c).
    /// </summary>
    public static double MeanSquaredError(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c,
        Span<float> dPredictions)
    {
        // predictions, targets, dPredictions: [n, c]
        double total = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            double d = (double)predictions[i] - targets[i];
            total += d * d;
        }
        if (!dPredictions.IsEmpty)
        {
            TensorPrimitives.Subtract(predictions, targets, dPredictions);
            TensorPrimitives.Multiply(dPredictions, 2f / ((float)n * c), dPredictions);
        }
        return total / c;
    }

    /// <summary>
    /// Binary cross-entropy on probabilities, as Keras computes it: q = clip(p, ε, 1 − ε) with the bounds in float32,
    /// loss = −(t log q + (1 − t) log(1 − q)), per sample the mean over its c outputs, so the sum over samples is
    /// Σ loss/c. Gradient of the batch mean: dp = (q − t)/(q(1 − q))/(n·c), zero where the clip is active (as the
    /// clip's own derivative is), so a saturated output stops learning — the reason a sigmoid output is fused instead
    /// (<see cref="BinaryCrossEntropyFromLogits"/>).
    /// </summary>
    public static double BinaryCrossEntropyFromProbabilities(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets,
        int n, int c, float epsilon, Span<float> dProbabilities)
    {
        // probabilities, targets, dProbabilities: [n, c]
        double total = 0;
        double scale = 1.0 / ((double)n * c);
        float upper = 1f - epsilon; // rounded to float32 (0.99999988 for ε = 1e-7), as Keras's clip of a float32 tensor has it
        for (int i = 0; i < probabilities.Length; i++)
        {
            double p = probabilities[i], t = targets[i];
            bool clipped = p < epsilon || p > upper;
            double q = Math.Clamp(p, epsilon, upper);
            total -= t * Math.Log(q) + (1 - t) * Math.Log(1 - q);
            if (!dProbabilities.IsEmpty) dProbabilities[i] = clipped ? 0f : (float)((q - t) / (q * (1 - q)) * scale);
        }
        return total / c;
    }

    /// <summary>
    /// Binary cross-entropy on logits z, p = σ(z), in the form that neither overflows nor loses the tail:
    /// loss = max(z, 0) − z·t + log(1 + e^(−|z|)), which equals −(t log p + (1 − t) log(1 − p)) exactly. Per sample the
    /// mean over its c outputs; gradient of the batch mean: dz = (σ(z) − t)/(n·c), with σ evaluated on the side of 0
    /// where e^(∓z) cannot overflow.
    /// </summary>
    public static double BinaryCrossEntropyFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int n, int c,
        Span<float> dLogits)
    {
        // logits, targets, dLogits: [n, c]
        double total = 0;
        double scale = 1.0 / ((double)n * c);
        for (int i = 0; i < logits.Length; i++)
        {
            double z = logits[i], t = targets[i];
            double e = Math.Exp(-Math.Abs(z)); // in (0, 1]
            total += Math.Max(z, 0) - z * t + Math.Log(1 + e);
            if (dLogits.IsEmpty) continue;
            double sigmoid = z >= 0 ? 1 / (1 + e) : e / (1 + e);
            dLogits[i] = (float)((sigmoid - t) * scale);
        }
        return total / c;
    }

    /// <summary>
    /// Mean absolute error: per sample the mean over its c outputs of |p − t|, so the sum over samples is Σ|p − t|/c.
    /// Gradient of the batch mean: sign(p − t)/(n·c), 0 where p = t (the subgradient Keras and PyTorch both take).
    /// </summary>
    public static double MeanAbsoluteError(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c,
        Span<float> dPredictions)
    {
        // predictions, targets, dPredictions: [n, c]
        double total = 0;
        float scale = (float)(1.0 / ((double)n * c));
        for (int i = 0; i < predictions.Length; i++)
        {
            double d = (double)predictions[i] - targets[i];
            total += Math.Abs(d);
            if (!dPredictions.IsEmpty) dPredictions[i] = d > 0 ? scale : d < 0 ? -scale : d == 0 ? 0f : float.NaN; // NaN stays NaN
        }
        return total / c;
    }

    /// <summary>
    /// Huber loss with threshold δ on e = p − t: ½e² where |e| ≤ δ, δ(|e| − ½δ) beyond (quadratic near the target,
    /// linear in the tails, so an outlier pulls with at most δ); per sample the mean over its c outputs. Gradient of
    /// the batch mean: clamp(e, −δ, δ)/(n·c).
    /// </summary>
    public static double Huber(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, float delta,
        Span<float> dPredictions)
    {
        // predictions, targets, dPredictions: [n, c]
        double total = 0;
        double scale = 1.0 / ((double)n * c);
        for (int i = 0; i < predictions.Length; i++)
        {
            double e = (double)predictions[i] - targets[i];
            double a = Math.Abs(e);
            total += a <= delta ? 0.5 * e * e : delta * (a - 0.5 * delta);
            if (!dPredictions.IsEmpty) dPredictions[i] = (float)(Math.Clamp(e, -delta, delta) * scale);
        }
        return total / c;
    }

    /// <summary>The class index a label holds, or an error naming the sample when it is not one of 0..classes − 1.</summary>
    internal static int CheckLabel(float value, int row, int classes)
    {
        int label = (int)value;
        if (label != value || label < 0 || label >= classes)
            throw new ArgumentException($"Label {value} of sample {row} is not a class index in 0..{classes - 1}.");
        return label;
    }
}
