using Strata.Layers;

namespace Strata;

/// <summary>Pairs two models' weights for <see cref="Model.LoadWeightsFrom"/>.</summary>
internal static class WeightPairing
{
    public static (List<(Weight From, Weight To)> Pairs, WeightTransferReport Report) Pair(
        IReadOnlyList<Layer> source, IReadOnlyList<Layer> target, WeightMatching match)
    {
        var candidates = new List<(Weight? From, Weight? To)>();
        if (match == WeightMatching.ByName)
        {
            var byName = source.SelectMany(l => l.Weights).ToDictionary(w => w.Name, StringComparer.Ordinal);
            foreach (var weight in target.SelectMany(l => l.Weights))
                candidates.Add((byName.Remove(weight.Name, out var from) ? from : null, weight));
            candidates.AddRange(byName.Values.Select(w => ((Weight?)w, (Weight?)null)));
        }
        else
        {
            var from = source.Where(l => l.Weights.Count > 0).ToArray();
            var to = target.Where(l => l.Weights.Count > 0).ToArray();
            for (int i = 0; i < Math.Max(from.Length, to.Length); i++)
            {
                var a = i < from.Length ? from[i].Weights : [];
                var b = i < to.Length ? to[i].Weights : [];
                for (int k = 0; k < Math.Max(a.Count, b.Count); k++)
                    candidates.Add((k < a.Count ? a[k] : null, k < b.Count ? b[k] : null));
            }
        }
        var pairs = new List<(Weight, Weight)>();
        List<string> loaded = [], missing = [], unexpected = [];
        var mismatched = new List<WeightMismatch>();
        foreach (var (from, to) in candidates)
        {
            if (from is null) missing.Add(to!.Name);
            else if (to is null) unexpected.Add(from.Name);
            else if (from.Shape != to.Shape) mismatched.Add(new WeightMismatch(to.Name, from.Name, to.Shape, from.Shape));
            else
            {
                pairs.Add((from, to));
                loaded.Add(to.Name);
            }
        }
        return (pairs, new WeightTransferReport(loaded, missing, unexpected, mismatched));
    }
}
