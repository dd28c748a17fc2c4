using System.Globalization;
using System.Text;
using Strata.Layers;

namespace Strata;

public partial class Model
{
    /// <summary>
    /// Keras's model summary: one row per layer with its name and type, batched output shape and parameter count, then
    /// the total, trainable and non-trainable counts with their size as float32 (a shared layer's weights count once).
    /// A functional model that is not a plain stack (Keras's test: one call at every depth, none with several inputs, no
    /// layer called twice) gets Keras's functional table: an InputLayer row per input, and a "Connected to" column
    /// naming each call's inputs as <c>layer[call][output]</c> (<c>-</c> for an input). Below the table, warnings about
    /// Batch Normalization layers that have trained but whose moving statistics have not warmed up, or whose input is
    /// constant in some feature (<see cref="BatchNormHealth"/>).
    /// </summary>
    public string Summary()
    {
        BuildFromDeclaredShape();
        if (!IsBuilt)
            throw new InvalidOperationException($"Model '{Name}' is not built: give the first layer an inputShape, or call Build or Fit first.");

        bool connected = _topology is { SequentialLike: false };
        // Column ends as tf.keras places them at its default line lengths: a stack at 65 (45%, 85%, 100%), a graph
        // at 98 (33%, 55%, 67%, 100%).
        int width = connected ? 98 : 65;
        int[] ends = connected ? [32, 53, 65, width] : [29, 55, width];
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Model: \"{Name}\"").AppendLine();
        sb.AppendLine(new string('_', width));
        sb.AppendLine(connected
            ? SummaryTable.Row(ends, "Layer (type)", "Output Shape", "Param #", "Connected to")
            : SummaryTable.Row(ends, "Layer (type)", "Output Shape", "Param #"));
        sb.AppendLine(new string('=', width));
        foreach (var layer in _layers)
        {
            string name = $"{layer.Name} ({layer.TypeName})";
            string shape = OutputShapeOf(layer).ToBatchString();
            string count = layer.CountParams().ToString(CultureInfo.InvariantCulture);
            sb.AppendLine(connected
                ? SummaryTable.Row(ends, [[name], [shape], [count], SummaryTable.Wrap(ConnectionsOf(layer), ends[3] - ends[2])])
                : SummaryTable.Row(ends, name, shape, count));
            sb.AppendLine(new string(' ', width));
        }
        sb.AppendLine(new string('=', width));
        long trainable = _layers.SelectMany(l => l.TrainableWeights).Sum(w => (long)w.Size);
        long all = CountParams();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Total params: {SummaryTable.Count(all)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Trainable params: {SummaryTable.Count(trainable)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Non-trainable params: {SummaryTable.Count(all - trainable)}");
        sb.Append(new string('_', width));
        AppendBatchNormModes(sb);
        AppendSharedLayers(sb);
        var warnings = BatchNormWarnings(afterTraining: false).ToList();
        if (warnings.Count > 0)
        {
            sb.AppendLine().Append("Warnings:");
            foreach (string warning in warnings) sb.AppendLine().Append("  ").Append(warning);
        }
        return sb.ToString();
    }

    /// <summary>
    /// The Batch Normalization layers not in <see cref="BatchNormMode.Training"/>, by mode, so that a frozen or
    /// "scale and shift only" layer is seen before training rather than found out after.
    /// </summary>
    private void AppendBatchNormModes(StringBuilder sb)
    {
        foreach (var group in _layers.OfType<BatchNormalization>().Where(l => l.Mode != BatchNormMode.Training).GroupBy(l => l.Mode))
        {
            string mode = group.Key == BatchNormMode.Inference
                ? "inference mode (moving statistics, nothing trained)"
                : "scale and shift only (moving statistics, γ and β trained)";
            sb.AppendLine().Append(CultureInfo.InvariantCulture, $"BatchNormalization in {mode}: {string.Join(", ", group.Select(l => l.Name))}");
        }
    }

    /// <summary>
    /// The layers this model shares with other built models (the same layer objects, as when a model is made of another
    /// one's <see cref="Layers"/>): training either changes both, which <see cref="Clone"/> avoids.
    /// </summary>
    private void AppendSharedLayers(StringBuilder sb)
    {
        var shared = _layers.Select(l => (l.Name, Others: l.OtherModels(this))).Where(s => s.Others.Length > 0).ToArray();
        if (shared.Length == 0) return;
        sb.AppendLine().Append("Shared with other models (training one changes the other; Clone() copies instead): ");
        sb.Append(string.Join(", ", shared.Select(s => $"{s.Name} (also in {string.Join(", ", s.Others.Select(m => $"'{m}'"))})")));
    }

    /// <summary>
    /// The health warnings of every Batch Normalization layer (<see cref="BatchNormHealth"/>); the updates since
    /// initialization are at least the optimizer's iterations, which a loaded model keeps.
    /// </summary>
    private IEnumerable<string> BatchNormWarnings(bool afterTraining)
    {
        long iterations = Optimizer?.Iterations ?? 0;
        foreach (var bn in _layers.OfType<BatchNormalization>().Where(l => l.IsBuilt))
            foreach (string warning in BatchNormHealth.Warnings(bn, Math.Max(bn.Tracker.Updates, iterations), afterTraining, ReadsModelInput(bn)))
                yield return warning;
    }

    /// <summary>
    /// Whether <paramref name="layer"/> sees the model's input values themselves: only reshaping layers (Flatten, Reshape)
    /// lie between them in every call.
    /// </summary>
    private bool ReadsModelInput(Layer layer)
    {
        if (_topology is { } topology)
            return topology.NodesOf(layer).All(node => node.Inputs.All(t => Reshapes(t.Node)));
        int index = _layers.IndexOf(layer);
        return index >= 0 && _layers.Take(index).All(l => l is Flatten or Reshape or InputLayer);

        static bool Reshapes(Node node) => node.IsInput || (node.Layer is Flatten or Reshape && node.Inputs.All(t => Reshapes(t.Node)));
    }

    /// <summary>A layer's output shape in this model: of its last call here, as Keras 3 shows a shared layer.</summary>
    private Shape OutputShapeOf(Layer layer) => _topology is { } topology ? topology.NodesOf(layer).Last().Output.Shape : layer.OutputShape;

    /// <summary>The inputs of every call of <paramref name="layer"/> in this model, as Keras 3 lists them; "-" for none.</summary>
    private string[] ConnectionsOf(Layer layer)
    {
        string[] connections = [.. _topology!.NodesOf(layer).SelectMany(n => n.Inputs).Select(t => t.Node.Reference)];
        return connections.Length == 0 ? ["-"] : connections;
    }
}
