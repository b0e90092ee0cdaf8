using System.Buffers;
using Recsys.Recommenders;

namespace Recsys.Neighborhood;

/// <summary>An item-kNN model: baselines, each item's most similar items (most similar first) and the users' residuals.</summary>
internal sealed class ItemKnnModel : RecommenderBase, IItemSimilarity
{
    public ItemKnnModel(string algorithm, string parameters, TrainingFootprint training, ItemKnnParts parts)
        : base(algorithm, training)
    {
        parts.Validate(training);
        Parameters = parameters;
        Parts = parts;
    }

    public string Parameters { get; }

    public ItemKnnParts Parts { get; }

    private bool Ranking => Parts.Purpose == ModelPurpose.Ranking;

    public override float Predict(int user, int item)
    {
        var p = Parts;
        var knownUser = (uint)user < (uint)Users.Count;
        var knownItem = (uint)item < (uint)Items.Count;
        if (Ranking)
        {
            return knownUser && knownItem ? RankingScore(user, item) : 0f;
        }

        var baseline = p.Global + (knownUser ? p.UserBias[user] : 0) + (knownItem ? p.ItemBias[item] : 0);
        if (!(knownUser && knownItem))
        {
            return Clamp(baseline);
        }

        var seen = Training.Seen(user);
        var offset = Training.SeenOffsets[user];
        double weighted = 0, total = 0;
        var found = 0;
        var neighbors = p.NeighborsOf(item);
        var weights = p.WeightsOf(item);
        for (var k = 0; k < neighbors.Length && found < p.Neighbors; k++)
        {
            var at = seen.BinarySearch(neighbors[k]);
            if (at >= 0)
            {
                weighted += weights[k] * p.SeenValues[offset + at];
                total += weights[k];
                found++;
            }
        }

        return Clamp(total > 0 ? baseline + (weighted / total) : baseline);
    }

    public int SimilarItems(int item, Span<ScoredItem> destination, RecommendationFilter? filter = null)
    {
        if ((uint)item >= (uint)Items.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, $"Item index {item} is outside 0 … {Items.Count - 1}.");
        }

        var buffer = TopN.Rent(Items.Count);
        try
        {
            var scores = buffer.AsSpan(0, Items.Count);
            scores.Fill(float.NaN);
            var neighbors = Parts.NeighborsOf(item);
            var weights = Parts.WeightsOf(item);
            for (var k = 0; k < neighbors.Length; k++)
            {
                scores[neighbors[k]] = weights[k];
            }

            return TopN.Select(scores, destination, filter ?? RecommendationFilter.None);
        }
        finally
        {
            TopN.Return(buffer);
        }
    }

    protected override void ScoreItems(int user, Span<float> scores)
    {
        var p = Parts;
        var seen = Training.Seen(user);
        var values = p.SeenValues.AsSpan(Training.SeenOffsets[user], seen.Length);
        if (Ranking)
        {
            // Σ over the user's positives j of s(j, i), from j's neighbour list.
            scores.Clear();
            for (var s = 0; s < seen.Length; s++)
            {
                if (values[s] == 0)
                {
                    continue;
                }

                var neighbors = p.NeighborsOf(seen[s]);
                var weights = p.WeightsOf(seen[s]);
                for (var k = 0; k < neighbors.Length; k++)
                {
                    scores[neighbors[k]] += weights[k] * values[s];
                }
            }

            return;
        }

        var residuals = ArrayPool<float>.Shared.Rent(Items.Count);
        try
        {
            var byItem = residuals.AsSpan(0, Items.Count);
            byItem.Fill(float.NaN);
            for (var s = 0; s < seen.Length; s++)
            {
                byItem[seen[s]] = values[s];
            }

            var userBaseline = p.Global + p.UserBias[user];
            for (var i = 0; i < scores.Length; i++)
            {
                var neighbors = p.NeighborsOf(i);
                var weights = p.WeightsOf(i);
                double weighted = 0, total = 0;
                var found = 0;
                for (var k = 0; k < neighbors.Length && found < p.Neighbors; k++)
                {
                    var residual = byItem[neighbors[k]];
                    if (!float.IsNaN(residual))
                    {
                        weighted += weights[k] * residual;
                        total += weights[k];
                        found++;
                    }
                }

                var baseline = userBaseline + p.ItemBias[i];
                scores[i] = Clamp(total > 0 ? baseline + (weighted / total) : baseline);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(residuals);
        }
    }

    private float RankingScore(int user, int item)
    {
        var p = Parts;
        var seen = Training.Seen(user);
        var values = p.SeenValues.AsSpan(Training.SeenOffsets[user], seen.Length);
        var score = 0f;
        for (var s = 0; s < seen.Length; s++)
        {
            if (values[s] == 0)
            {
                continue;
            }

            var neighbors = p.NeighborsOf(seen[s]);
            var at = neighbors.IndexOf(item);
            if (at >= 0)
            {
                score += p.WeightsOf(seen[s])[at] * values[s];
            }
        }

        return score;
    }
}

/// <summary>The arrays of an <see cref="ItemKnnModel"/>.</summary>
internal sealed class ItemKnnParts
{
    public ModelPurpose Purpose { get; init; }

    public int Neighbors { get; init; }

    public double Global { get; init; }

    public required float[] UserBias { get; init; }

    public required float[] ItemBias { get; init; }

    public required int[] NeighborOffsets { get; init; }

    public required int[] NeighborItems { get; init; }

    public required float[] NeighborWeights { get; init; }

    /// <summary>Gets what each training interaction (in the footprint's order) contributes: a residual, or a 0/1 positive.</summary>
    public required float[] SeenValues { get; init; }

    public ReadOnlySpan<int> NeighborsOf(int item) => NeighborItems.AsSpan(NeighborOffsets[item], NeighborOffsets[item + 1] - NeighborOffsets[item]);

    public ReadOnlySpan<float> WeightsOf(int item) => NeighborWeights.AsSpan(NeighborOffsets[item], NeighborOffsets[item + 1] - NeighborOffsets[item]);

    public void Validate(TrainingFootprint training)
    {
        var items = training.Items.Count;
        if (!Enum.IsDefined(Purpose) || Neighbors < 1
            || UserBias.Length != training.Users.Count || ItemBias.Length != items
            || NeighborOffsets.Length != items + 1 || NeighborOffsets[0] != 0 || NeighborOffsets[^1] != NeighborItems.Length
            || NeighborWeights.Length != NeighborItems.Length || SeenValues.Length != training.SeenItems.Length)
        {
            throw new ArgumentException($"The item-kNN arrays do not match {training.Users.Count} users and {items} items.");
        }

        for (var i = 0; i < items; i++)
        {
            if (NeighborOffsets[i] > NeighborOffsets[i + 1])
            {
                throw new ArgumentException("The neighbour offsets are not ascending.");
            }
        }

        foreach (var neighbor in NeighborItems)
        {
            if ((uint)neighbor >= (uint)items)
            {
                throw new ArgumentException($"Neighbour item {neighbor} is outside the {items} items.");
            }
        }

        // Predictions binary-search each user's training items.
        for (var u = 0; u < training.Users.Count; u++)
        {
            var seen = training.Seen(u);
            for (var k = 1; k < seen.Length; k++)
            {
                if (seen[k] <= seen[k - 1])
                {
                    throw new ArgumentException($"User {u}'s training items are not in ascending order.");
                }
            }
        }
    }
}
