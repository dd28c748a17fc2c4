using System.Globalization;
using Strata.Layers;

namespace Strata;

public partial class Model
{
    /// <summary>
    /// A new inference model in which each BatchNormalization is merged into a neighbouring linear layer, so
    /// inference pays nothing for it; this model is left untouched. With σ = √(moving variance + ε), a = γ/σ and
    /// b = β − a·(moving mean):
    /// <list type="bullet">
    /// <item>a BN right after a Dense or Conv2D without activation, whose output nothing else reads, folds backward:
    /// W′[…, j] = a_j·W[…, j], b′_j = a_j·b_j + b_j^BN (= γ(b − μ)/σ + β) — in a residual block, every conv → BN;</item>
    /// <item>a BN after an activation, or first, folds forward into the next Dense (through Flatten, Reshape,
    /// Dropout or RandomTranslation, each read by nothing else) when every kernel row of that Dense meets a single BN feature:
    /// W′[i, :] = a_i·W[i, :], b′ = b + Σ_i b_i^BN·W[i, :];</item>
    /// <item>any other BN stays (one called more than once, one whose neighbour is shared or read elsewhere), and
    /// the report's <see cref="FoldReport.Kept"/> says which and why.</item>
    /// </list>
    /// A Sequential folds into a Sequential, a functional model into a functional model of the same graph less the
    /// folded BNs.
    /// </summary>
    /// <remarks>
    /// The fold checks itself: the original and the folded model predict a calibration batch (<paramref name="calibration"/>,
    /// or 64 seeded uniform [0, 1) inputs of each input's shape), and a folded model whose outputs differ by more than
    /// <paramref name="tolerance"/> times the largest output magnitude is refused with an
    /// <see cref="InvalidOperationException"/>. <paramref name="report"/> gives the largest differences of the whole fold
    /// and of each folded BN alone.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The model is not built, or the folded model does not predict the same.</exception>
    /// <exception cref="ArgumentException">A calibration batch for a model of several inputs (they are drawn for each).</exception>
    public Model FoldBatchNormalization(out FoldReport report, Tensor? calibration = null, double tolerance = 1e-4)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        if (calibration is not null && InputShapes.Count > 1)
            throw new ArgumentException($"Model '{Name}' has {InputShapes.Count} inputs; its calibration batches are drawn for each.", nameof(calibration));
        var kept = new List<string>();
        var foldedInto = new List<(string Bn, string Into)>();
        var folded = BatchNormFolding.Fold(this, kept, foldedInto, _ => true);
        Tensor[] x = calibration is null ? [.. InputShapes.Select(BatchNormFolding.CalibrationBatch)] : [calibration];
        var expected = Predict(x);
        var (maxAbs, maxRel) = BatchNormFolding.Difference(expected, folded.Predict(x));
        var perLayer = new List<FoldedLayer>();
        foreach (var (bn, into) in foldedInto)
        {
            var alone = BatchNormFolding.Fold(this, [], [], b => b.Name == bn);
            var (abs, rel) = BatchNormFolding.Difference(expected, alone.Predict(x));
            perLayer.Add(new FoldedLayer(bn, into, abs, rel));
        }
        report = new FoldReport(kept, perLayer, x[0].Shape[0], maxAbs, maxRel);
        if (!(maxRel <= tolerance))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Folding the BatchNormalization layers of '{Name}' changes its predictions on {x[0].Shape[0]} calibration inputs by up to " +
                $"{maxAbs:G3} ({maxRel:G3} of the largest output, above the tolerance {tolerance:G3}); the folded model is refused. " +
                $"By layer: {string.Join("; ", perLayer.Select(l => $"{l.BatchNormalization} into {l.Into}: {l.MaxAbsoluteDifference:G3}"))}."));
        }
        return folded;
    }

    /// <summary>As <see cref="FoldBatchNormalization(out FoldReport, Tensor?, double)"/>; <paramref name="kept"/> lists the BNs that stay and why.</summary>
    public Model FoldBatchNormalization(out IReadOnlyList<string> kept)
    {
        var folded = FoldBatchNormalization(out FoldReport report);
        kept = report.Kept;
        return folded;
    }

    /// <inheritdoc cref="FoldBatchNormalization(out FoldReport, Tensor?, double)"/>
    public Model FoldBatchNormalization() => FoldBatchNormalization(out FoldReport _);
}

public sealed partial class Sequential
{
    /// <inheritdoc cref="Model.FoldBatchNormalization(out FoldReport, Tensor?, double)"/>
    public new Sequential FoldBatchNormalization(out FoldReport report, Tensor? calibration = null, double tolerance = 1e-4) =>
        (Sequential)base.FoldBatchNormalization(out report, calibration, tolerance);

    /// <inheritdoc cref="Model.FoldBatchNormalization(out IReadOnlyList{string})"/>
    public new Sequential FoldBatchNormalization(out IReadOnlyList<string> kept) => (Sequential)base.FoldBatchNormalization(out kept);

    /// <inheritdoc cref="Model.FoldBatchNormalization(out FoldReport, Tensor?, double)"/>
    public new Sequential FoldBatchNormalization() => (Sequential)base.FoldBatchNormalization();
}

/// <summary>What <see cref="Model.FoldBatchNormalization(out FoldReport, Tensor?, double)"/> did and how exact it is.</summary>
/// <param name="Kept">Each BatchNormalization that stays, with the reason.</param>
/// <param name="Folded">Each folded BatchNormalization, the layer it went into, and the largest differences with it folded alone.</param>
/// <param name="CalibrationSamples">Samples of the calibration batch.</param>
/// <param name="MaxAbsoluteDifference">max |y − y′| over the calibration outputs, everything folded.</param>
/// <param name="MaxRelativeDifference">The same divided by the largest |y|.</param>
public sealed record FoldReport(IReadOnlyList<string> Kept, IReadOnlyList<FoldedLayer> Folded, int CalibrationSamples,
    double MaxAbsoluteDifference, double MaxRelativeDifference);

/// <summary>One folded BatchNormalization and the largest output differences with it folded alone.</summary>
public sealed record FoldedLayer(string BatchNormalization, string Into, double MaxAbsoluteDifference, double MaxRelativeDifference);

/// <summary>The graph walk behind <see cref="Model.FoldBatchNormalization(out IReadOnlyList{string})"/>.</summary>
internal static class BatchNormFolding
{
    /// <summary>Tests set it (on their own thread) to fold forward as if every Dense were exact, so the self-check has a wrong fold to catch.</summary>
    [ThreadStatic]
    internal static bool IgnoreForwardExactness;


    /// <summary>A fold to apply to a Dense or Conv2D: <see cref="FoldForward"/> (rows) or <see cref="FoldBackward"/> (columns).</summary>
    private readonly record struct Transform(bool Forward, double[] A, double[] B);

    /// <summary>Folds the BNs <paramref name="shouldFold"/> picks; the others stay (and are listed in <paramref name="kept"/> when they cannot fold).</summary>
    public static Model Fold(Model model, List<string> kept, List<(string Bn, string Into)> folded, Func<BatchNormalization, bool> shouldFold)
    {
        if (!model.IsBuilt)
            throw new InvalidOperationException($"Model '{model.Name}' is not built; build or train it before folding its BatchNormalization layers.");
        var nodes = model.Nodes;
        var readers = new Dictionary<Node, List<Node>>();
        foreach (var node in nodes)
            foreach (var input in node.Inputs) (readers.TryGetValue(input.Node, out var list) ? list : readers[input.Node] = []).Add(node);
        var outputs = model.Outputs.Select(t => t.Node).ToHashSet();
        var calls = nodes.GroupBy(n => n.Origin).ToDictionary(g => g.Key, g => g.Count());
        // The only reader of a call's output, or null when several layers (or the model's outputs) read it.
        Node? OnlyReader(Node node) => !outputs.Contains(node) && readers.TryGetValue(node, out var r) && r.Count == 1 ? r[0] : null;

        var transforms = new Dictionary<Node, List<Transform>>();
        var removed = new HashSet<Node>();
        foreach (var node in nodes)
        {
            if (node.Origin is not BatchNormalization bn || !shouldFold(bn)) continue;
            if (calls[bn] > 1)
            {
                kept.Add($"{bn.Name}: it is called {calls[bn]} times, and one fold cannot serve every call.");
                continue;
            }
            if (bn.Axis.Count != 1 || bn.InputShape.NormalizeAxis(bn.Axis[0] < 0 ? bn.Axis[0] : bn.Axis[0] - 1) != bn.InputShape.Rank - 1)
            {
                kept.Add($"{bn.Name}: it normalizes over an axis other than the last, so no neighbouring kernel lines up with its features.");
                continue;
            }
            var (a, b) = InferenceAffine(bn);
            // Backward: into the Dense or Conv2D that produced this input, if nothing else reads that layer's output.
            var producer = node.Inputs[0].Node;
            if (!producer.IsInput && producer.Origin is Dense { Activation.IsLinear: true } or Conv2D { Activation.IsLinear: true }
                && calls[producer.Origin] == 1 && OnlyReader(producer) == node)
            {
                Add(transforms, producer, new Transform(false, a, b));
                removed.Add(node);
                folded.Add((bn.Name, producer.Origin.Name));
                continue;
            }
            // Forward: into the next Dense, through layers that only move values (or are the identity at inference).
            var next = OnlyReader(node);
            while (next?.Origin is Flatten or Reshape or RandomLayer) next = OnlyReader(next);
            if (next?.Origin is Dense dense && calls[dense] == 1)
            {
                if (!ForwardFoldIsExact(bn, dense))
                {
                    kept.Add($"{bn.Name}: {dense.Name} (Dense) reads its {bn.MovingMean.Size} features in rows of {dense.InputShape[^1]} " +
                        $"at {dense.InputShape.Size / dense.InputShape[^1]} positions, so a kernel row meets more than one feature and " +
                        "no scaling of the rows is exact.");
                    continue;
                }
                Add(transforms, next, new Transform(true, a, b));
                removed.Add(node);
                folded.Add((bn.Name, dense.Name));
                continue;
            }
            string reason = OnlyReader(node) is null
                ? outputs.Contains(node) ? "it is an output of the model" : "several layers read its output"
                : next is null
                    ? "a layer after it has its output read by several layers"
                    : $"it is followed by {next.Origin.Name} ({next.Origin.TypeName}){(next.Origin is Dense ? ", which is called more than once" : ", and folding forward is done only into a Dense")}";
            kept.Add($"{bn.Name}: {reason}.");
        }
        return Rebuild(model, nodes, transforms, removed);
    }

    private static void Add(Dictionary<Node, List<Transform>> transforms, Node node, Transform transform)
    {
        if (!transforms.TryGetValue(node, out var list)) transforms[node] = list = [];
        list.Add(transform);
    }

    /// <summary>
    /// The model again with each folded BN left out (its readers read its input instead) and each linear layer that
    /// takes a fold replaced by its folded copy, every other layer copied with its weights; shared layers stay shared.
    /// </summary>
    private static Model Rebuild(Model model, IReadOnlyList<Node> nodes, Dictionary<Node, List<Transform>> transforms, HashSet<Node> removed)
    {
        string name = model.Name + "_folded";
        var copies = new Dictionary<Layer, Layer>();
        Layer CopyOf(Node node)
        {
            if (copies.TryGetValue(node.Origin, out var copy)) return copy;
            copy = Copy(node.Origin, node.Origin.CloneConfiguration(), [.. node.Inputs.Select(t => t.Shape)]);
            foreach (var t in transforms.GetValueOrDefault(node) ?? []) copy = t.Forward ? FoldForward((Dense)copy, t.A, t.B) : FoldBackward(copy, t.A, t.B);
            return copies[node.Origin] = copy;
        }
        if (model is Sequential)
        {
            var sequential = new Sequential([.. nodes.Where(n => !removed.Contains(n)).Select(CopyOf)]) { Name = name, Context = model.Context };
            sequential.Build(model.InputShape);
            return sequential;
        }
        var tensors = new Dictionary<Node, SymbolicTensor>();
        var inputs = model.Inputs.Select(t => tensors[t.Node] = Input.Of(t.Shape, t.Layer.Name)).ToArray();
        foreach (var node in nodes)
        {
            tensors[node] = removed.Contains(node)
                ? tensors[node.Inputs[0].Node]
                : CopyOf(node).CallCore([.. node.Inputs.Select(t => tensors[t.Node])]);
        }
        return new Model(inputs, [.. model.Outputs.Select(t => tensors[t.Node])]) { Name = name, Context = model.Context };
    }

    /// <summary>64 seeded uniform [0, 1) inputs in the built shape (like scaled pixels), at most about 16M values.</summary>
    public static Tensor CalibrationBatch(Shape input)
    {
        int samples = Math.Clamp((16 << 20) / Math.Max(1, input.Size), 1, 64);
        var x = new Tensor(input.WithBatch(samples));
        var random = new Random(1);
        for (int i = 0; i < x.Length; i++) x.Span[i] = random.NextSingle();
        return x;
    }

    /// <summary>max |y − y′| over every output and that divided by max |y| (NaN anywhere gives NaN, which no tolerance accepts).</summary>
    public static (double Absolute, double Relative) Difference(Tensor[] expected, Tensor[] actual)
    {
        double maxAbs = 0, scale = 0;
        bool nonFinite = false;
        for (int k = 0; k < expected.Length; k++)
            for (int i = 0; i < expected[k].Length; i++)
            {
                double e = expected[k].Span[i], d = Math.Abs(e - actual[k].Span[i]);
                if (!double.IsFinite(d)) nonFinite = true;
                maxAbs = Math.Max(maxAbs, d);
                scale = Math.Max(scale, Math.Abs(e));
            }
        if (nonFinite) return (double.NaN, double.NaN);
        return (maxAbs, maxAbs == 0 ? 0 : maxAbs / Math.Max(scale, double.Epsilon));
    }

    /// <summary>
    /// Whether folding <paramref name="bn"/> forward into <paramref name="next"/> is exact. The Dense multiplies kernel row i
    /// with element i of every position of its input; that element carries BN feature (q·inputs + i) mod c at position q.
    /// One feature per row, whatever the position, needs a single position (a flat input) or inputs a multiple of c.
    /// </summary>
    private static bool ForwardFoldIsExact(BatchNormalization bn, Dense next)
    {
        int c = bn.MovingMean.Size, inputs = next.InputShape[^1];
        int positions = next.InputShape.Size / Math.Max(inputs, 1);
        return IgnoreForwardExactness || positions == 1 || inputs % c == 0;
    }

    /// <summary>a = γ/√(var + ε), b = β − a·mean from the moving statistics.</summary>
    private static (double[] A, double[] B) InferenceAffine(BatchNormalization bn)
    {
        int c = bn.MovingMean.Size;
        var a = new double[c];
        var b = new double[c];
        for (int f = 0; f < c; f++)
        {
            double gamma = bn.Gamma?.Value[f] ?? 1, beta = bn.Beta?.Value[f] ?? 0;
            a[f] = gamma / Math.Sqrt(bn.MovingVariance.Value[f] + (double)bn.Epsilon);
            b[f] = beta - a[f] * bn.MovingMean.Value[f];
        }
        return (a, b);
    }

    /// <summary>Kernel columns scaled by a, bias b′ = a·b + b^BN; the copy always has a bias.</summary>
    private static Layer FoldBackward(Layer linear, double[] a, double[] b)
    {
        var (kernel, bias) = linear switch
        {
            Dense d => (d.Kernel, d.Bias),
            Conv2D c => (c.Kernel, c.Bias),
            _ => throw new InvalidOperationException(),
        };
        Layer copy = linear is Dense dense ? dense.CloneConfiguration(useBias: true) : ((Conv2D)linear).CloneConfiguration(useBias: true);
        copy.Build(linear.InputShape);
        var (newKernel, newBias) = copy is Dense nd ? (nd.Kernel, nd.Bias!) : (((Conv2D)copy).Kernel, ((Conv2D)copy).Bias!);
        int outputs = a.Length;
        var w = kernel.Value;
        var w2 = newKernel.Value;
        for (int i = 0; i < w.Length; i++) w2[i] = (float)(w[i] * a[i % outputs]);
        for (int j = 0; j < outputs; j++) newBias.Value[j] = (float)(a[j] * (bias?.Value[j] ?? 0) + b[j]);
        return copy;
    }

    /// <summary>Kernel rows scaled by a (a repeats over the positions a Flatten laid out), bias b′ = b + bᴮᴺ·W.</summary>
    private static Layer FoldForward(Dense dense, double[] a, double[] b)
    {
        var copy = dense.CloneConfiguration(useBias: true);
        copy.Build(dense.InputShape);
        int inputs = dense.Kernel.Shape[0], units = dense.Units, c = a.Length;
        var w = dense.Kernel.Value;
        var w2 = copy.Kernel.Value;
        var bias = new double[units];
        for (int j = 0; j < units; j++) bias[j] = dense.Bias?.Value[j] ?? 0;
        for (int i = 0; i < inputs; i++)
        {
            double ai = a[i % c], bi = b[i % c];
            for (int j = 0; j < units; j++)
            {
                w2[i * units + j] = (float)(ai * w[i * units + j]);
                bias[j] += bi * w[i * units + j];
            }
        }
        for (int j = 0; j < units; j++) copy.Bias!.Value[j] = (float)bias[j];
        return copy;
    }

    /// <summary>The copy, built for the same inputs, with every weight's values.</summary>
    private static Layer Copy(Layer original, Layer copy, Shape[] inputShapes)
    {
        copy.BuildForCall(inputShapes, new Random(0));
        for (int w = 0; w < original.Weights.Count; w++) original.Weights[w].Value.CopyTo(copy.Weights[w].Value);
        copy.Trainable = original.Trainable;
        return copy;
    }
}
