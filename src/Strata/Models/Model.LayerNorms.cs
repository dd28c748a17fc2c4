using Strata.Layers;

namespace Strata;

public partial class Model
{
    private int[] _weightLayer = [];          // trainable weight (slab order) → its layer among GradientLayers
    private int[] _weightColumn = [];         // trainable weight (slab order) → its column among GradientWeights
    private string[] _gradientLayers = [];    // the layers with weights that train when the layer does, in model order
    private string[] _gradientWeights = [];   // those weights, in model order
    private double[] _layerSquaresBefore = [], _layerSquaresAfter = [], _weightSquaresAfter = [];

    /// <summary>
    /// The layers with weights that train while the layer is trainable, frozen or not, in model order: the columns of
    /// <see cref="History.LayerGradientNorms"/>. Frozen layers are kept, with norms of 0 (no gradient reaches their
    /// weights), so that the columns stay the same when a callback freezes or unfreezes layers during Fit.
    /// </summary>
    internal IReadOnlyList<string> GradientLayers => _gradientLayers;

    /// <summary>The weights of <see cref="GradientLayers"/> in model order: the columns of <see cref="History.WeightGradientNorms"/>.</summary>
    internal IReadOnlyList<string> GradientWeights => _gradientWeights;

    /// <summary>Whether training steps sum each layer's Σg² before and after clipping (Fit turns it on).</summary>
    internal bool RecordsLayerNorms { get; set; }

    /// <summary>Each layer's Σg² of the last training step before clipping, in <see cref="GradientLayers"/> order.</summary>
    internal ReadOnlySpan<double> LayerSquaresBefore => _layerSquaresBefore;

    /// <summary>Each layer's Σg² of the last training step as the update used it, after clipping (NaN: skipped).</summary>
    internal ReadOnlySpan<double> LayerSquaresAfter => _layerSquaresAfter;

    /// <summary>
    /// The columns of the gradient records, and which layer and column each trainable weight of the slab has (a shared
    /// weight: the first layer that lists it).
    /// </summary>
    private void MapGradientLayers()
    {
        var owner = new Dictionary<Weight, (int Layer, int Column)>(ReferenceEqualityComparer.Instance);
        var layers = new List<string>();
        var columns = new List<string>();
        foreach (Layer layer in _layers)
        {
            bool any = false;
            foreach (var w in layer.Weights)
            {
                if (!w.Trainable || !owner.TryAdd(w, (layers.Count, columns.Count))) continue;
                columns.Add(w.Name);
                any = true;
            }
            if (any) layers.Add(layer.Name);
        }
        var weights = _slab!.Weights;
        _weightLayer = [.. weights.Select(w => owner[w].Layer)];
        _weightColumn = [.. weights.Select(w => owner[w].Column)];
        (_gradientLayers, _gradientWeights) = ([.. layers], [.. columns]);
        (_layerSquaresBefore, _layerSquaresAfter) = (new double[layers.Count], new double[layers.Count]);
        _weightSquaresAfter = new double[weights.Length];
    }

    /// <summary>Each column's ‖g‖₂ of the last training step before clipping (<see cref="GradientWeights"/>; 0 for a frozen weight).</summary>
    internal void LastWeightNorms(Span<double> columns)
    {
        columns.Clear();
        for (int w = 0; w < _weightColumn.Length; w++) columns[_weightColumn[w]] = Math.Sqrt(_weightSumsOfSquares[w]);
    }

    /// <summary>
    /// Each layer's Σg² before clipping (from the per-weight sums of the finiteness pass) and after: a second pass over
    /// the gradients when clipping changed them in place, the global scale squared when it scales them all, NaN when the
    /// step was skipped.
    /// </summary>
    private void SumLayerSquares(bool skipped)
    {
        SumByLayer(_weightSumsOfSquares, _layerSquaresBefore);
        var optimizer = Optimizer!;
        if (skipped)
        {
            _layerSquaresAfter.AsSpan().Fill(double.NaN);
        }
        else if (optimizer.ClipsInPlace)
        {
            _slab!.GradientSumOfSquares(_weightSquaresAfter);
            SumByLayer(_weightSquaresAfter, _layerSquaresAfter);
        }
        else
        {
            double scale = optimizer.AppliedGradientScale;
            for (int i = 0; i < _layerSquaresAfter.Length; i++) _layerSquaresAfter[i] = _layerSquaresBefore[i] * scale * scale;
        }
    }

    private void SumByLayer(ReadOnlySpan<double> perWeight, Span<double> perLayer)
    {
        perLayer.Clear();
        for (int w = 0; w < _weightLayer.Length; w++) perLayer[_weightLayer[w]] += perWeight[w];
    }
}
