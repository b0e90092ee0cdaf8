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
        var seen = Training.Seen(user);
        Score(seen, Parts.SeenValues.AsSpan(Training.SeenOffsets[user], seen.Length), Parts.Global + Parts.UserBias[user], scores);
    }

    /// <summary>Fold-in: the neighbours of the whole history, the new interactions weighed as training ones are.</summary>
    public override bool SupportsFoldIn => true;

    protected override bool ScoreHistory(int user, ReadOnlySpan<int> items, ReadOnlySpan<float> values, Span<float> scores)
    {
        var p = Parts;
        var threshold = _positiveThreshold ??= ReadPositiveThreshold(Parameters);
        var userBaseline = p.Global + (user >= 0 ? p.UserBias[user] : 0);
        var seen = user >= 0 ? Training.Seen(user) : [];
        var allItems = new int[seen.Length + items.Length];
        var allValues = new float[allItems.Length];
        seen.CopyTo(allItems);
        if (user >= 0)
        {
            p.SeenValues.AsSpan(Training.SeenOffsets[user], seen.Length).CopyTo(allValues);
        }

        var counted = 0;
        for (var k = 0; k < items.Length; k++)
        {
            // What a training interaction contributes (ItemKnnTrainer): 1 or 0 for a ranking model, the residual for a rating one.
            var value = Ranking
                ? (double.IsNaN(threshold) || values[k] >= threshold ? 1f : 0f)
                : (float)(values[k] - userBaseline - p.ItemBias[items[k]]);
            allItems[seen.Length + k] = items[k];
            allValues[seen.Length + k] = value;
            counted += !Ranking || value != 0 ? 1 : 0;
        }

        if (counted == 0)
        {
            return false;
        }

        Score(allItems, allValues, userBaseline, scores);
        return true;
    }

    private double? _positiveThreshold;

    private static double ReadPositiveThreshold(string parameters)
    {
        using var json = System.Text.Json.JsonDocument.Parse(string.IsNullOrWhiteSpace(parameters) ? "{}" : parameters);
        return json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && json.RootElement.TryGetProperty("positive_threshold", out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Number
            ? value.GetDouble()
            : double.NaN;
    }

    private void Score(ReadOnlySpan<int> seen, ReadOnlySpan<float> values, double userBaseline, Span<float> scores)
    {
        var p = Parts;
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
