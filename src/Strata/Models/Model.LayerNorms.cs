using Strata.Layers;

namespace Strata;

public partial class Model
{
    private int[] _weightLayer = [];          // trainable weight (slab order) → its layer among GradientLayers
    private string[] _gradientLayers = [];    // the layers with trainable weights, in model order
    private double[] _layerSquaresBefore = [], _layerSquaresAfter = [], _weightSquaresAfter = [];

    /// <summary>The layers with trainable weights, in model order: the columns of <see cref="History.LayerGradientNorms"/>.</summary>
    internal IReadOnlyList<string> GradientLayers => _gradientLayers;

    /// <summary>Whether training steps sum each layer's Σg² before and after clipping (Fit turns it on).</summary>
    internal bool RecordsLayerNorms { get; set; }

    /// <summary>Each layer's Σg² of the last training step before clipping, in <see cref="GradientLayers"/> order.</summary>
    internal ReadOnlySpan<double> LayerSquaresBefore => _layerSquaresBefore;

    /// <summary>Each layer's Σg² of the last training step as the update used it, after clipping (NaN: skipped).</summary>
    internal ReadOnlySpan<double> LayerSquaresAfter => _layerSquaresAfter;

    /// <summary>Which layer owns each trainable weight of the slab (a shared weight: the first layer that lists it).</summary>
    private void MapGradientLayers()
    {
        var owner = new Dictionary<Weight, int>(ReferenceEqualityComparer.Instance);
        var names = new List<string>();
        foreach (Layer layer in _layers)
        {
            bool any = false;
            foreach (var w in layer.TrainableWeights)
            {
                if (owner.TryAdd(w, names.Count)) any = true;
            }
            if (any) names.Add(layer.Name);
        }
        var weights = _slab!.Weights;
        _weightLayer = [.. weights.Select(w => owner[w])];
        _gradientLayers = [.. names];
        (_layerSquaresBefore, _layerSquaresAfter) = (new double[names.Count], new double[names.Count]);
        _weightSquaresAfter = new double[weights.Length];
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
