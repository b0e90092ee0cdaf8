using System.Numerics.Tensors;
using Recsys.Recommenders;

namespace Recsys.Neighborhood;

/// <summary>An EASE model: a dense item-item weight matrix over the modelled items.</summary>
internal sealed class EaseModel : RecommenderBase, IItemSimilarity
{
    private readonly int[] _columnOf;

    public EaseModel(string algorithm, string parameters, TrainingFootprint training, int[] modelledItems, float[] weights, int[] userOffsets, int[] userColumns)
        : base(algorithm, training)
    {
        var n = modelledItems.Length;
        if (userOffsets.Length != training.Users.Count + 1 || userOffsets[0] != 0 || userOffsets[^1] != userColumns.Length)
        {
            throw new ArgumentException("The users' positive columns do not match the users.", nameof(userOffsets));
        }

        for (var u = 0; u < training.Users.Count; u++)
        {
            if (userOffsets[u] > userOffsets[u + 1])
            {
                throw new ArgumentException("The users' positive column offsets are not ascending.", nameof(userOffsets));
            }
        }

        foreach (var c in userColumns)
        {
            if ((uint)c >= (uint)n)
            {
                throw new ArgumentException($"A user's positive column {c} is outside the {n} modelled items.", nameof(userColumns));
            }
        }

        if (weights.Length != (long)n * n)
        {
            throw new ArgumentException($"The weight matrix holds {weights.Length} values; {n} modelled items need {(long)n * n}.", nameof(weights));
        }

        _columnOf = new int[training.Items.Count];
        Array.Fill(_columnOf, -1);
        for (var c = 0; c < n; c++)
        {
            var item = modelledItems[c];
            if ((uint)item >= (uint)_columnOf.Length || _columnOf[item] >= 0 || (c > 0 && item <= modelledItems[c - 1]))
            {
                throw new ArgumentException($"Modelled item {item} is out of range, repeated or out of order.", nameof(modelledItems));
            }

            _columnOf[item] = c;
        }

        Parameters = parameters;
        ModelledItems = modelledItems;
        Weights = weights;
        UserOffsets = userOffsets;
        UserColumns = userColumns;
    }

    public string Parameters { get; }

    /// <summary>Gets the items with a row and column, ascending.</summary>
    public int[] ModelledItems { get; }

    /// <summary>Gets B, row-major over <see cref="ModelledItems"/>.</summary>
    public float[] Weights { get; }

    /// <summary>Gets where each user's positives start in <see cref="UserColumns"/> (the rows of X).</summary>
    public int[] UserOffsets { get; }

    /// <summary>Gets each user's positives as columns of <see cref="Weights"/>.</summary>
    public int[] UserColumns { get; }

    private ReadOnlySpan<int> Positives(int user) => UserColumns.AsSpan(UserOffsets[user], UserOffsets[user + 1] - UserOffsets[user]);

    public override float Predict(int user, int item)
    {
        if ((uint)user >= (uint)Users.Count || (uint)item >= (uint)Items.Count)
        {
            return 0f;
        }

        var column = _columnOf[item];
        if (column < 0)
        {
            return 0f; // its column of B is zero
        }

        var n = ModelledItems.Length;
        var sum = 0f;
        foreach (var row in Positives(user))
        {
            sum += Weights[(row * n) + column];
        }

        return sum;
    }

    public int SimilarItems(int item, Span<ScoredItem> destination, RecommendationFilter? filter = null)
    {
        if ((uint)item >= (uint)Items.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, $"Item index {item} is outside 0 … {Items.Count - 1}.");
        }

        var row = _columnOf[item];
        if (row < 0)
        {
            return 0;
        }

        var buffer = TopN.Rent(Items.Count);
        try
        {
            var scores = buffer.AsSpan(0, Items.Count);
            scores.Fill(float.NaN);
            var n = ModelledItems.Length;
            var weights = Weights.AsSpan(row * n, n);
            for (var c = 0; c < n; c++)
            {
                scores[ModelledItems[c]] = weights[c] > 0 ? weights[c] : float.NaN;
            }

            scores[item] = float.NaN;
            return TopN.Select(scores, destination, filter ?? RecommendationFilter.None);
        }
        finally
        {
            TopN.Return(buffer);
        }
    }

    protected override void ScoreItems(int user, Span<float> scores) => Score(Positives(user), [], scores);

    /// <summary>Fold-in is exact for EASE: the scores are the history's rows of B summed, and the new positives add theirs.</summary>
    public override bool SupportsFoldIn => true;

    protected override bool ScoreHistory(int user, ReadOnlySpan<int> items, ReadOnlySpan<float> values, Span<float> scores)
    {
        var threshold = _positiveThreshold ??= ReadPositiveThreshold(Parameters);
        var known = user >= 0 ? Positives(user) : [];
        var added = new List<int>(items.Length);
        for (var k = 0; k < items.Length; k++)
        {
            var column = _columnOf[items[k]];
            if (column >= 0 && (double.IsNaN(threshold) || values[k] >= threshold) && known.IndexOf(column) < 0)
            {
                added.Add(column);
            }
        }

        if (added.Count == 0)
        {
            return false;
        }

        Score(known, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(added), scores);
        return true;
    }

    private double? _positiveThreshold;

    /// <summary>The trainer's positive threshold (NaN: every interaction is a positive), as recorded in the model.</summary>
    private static double ReadPositiveThreshold(string parameters)
    {
        using var json = System.Text.Json.JsonDocument.Parse(string.IsNullOrWhiteSpace(parameters) ? "{}" : parameters);
        return json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && json.RootElement.TryGetProperty("positive_threshold", out var value)
            ? value.ValueKind == System.Text.Json.JsonValueKind.Number ? value.GetDouble() : double.NaN
            : new EaseOptions().PositiveThreshold ?? double.NaN;
    }

    private void Score(ReadOnlySpan<int> positives, ReadOnlySpan<int> more, Span<float> scores)
    {
        var n = ModelledItems.Length;
        var buffer = TopN.Rent(n);
        try
        {
            var sums = buffer.AsSpan(0, n);
            sums.Clear();
            foreach (var row in positives)
            {
                TensorPrimitives.Add(sums, Weights.AsSpan(row * n, n), sums);
            }

            foreach (var row in more)
            {
                TensorPrimitives.Add(sums, Weights.AsSpan(row * n, n), sums);
            }

            for (var i = 0; i < scores.Length; i++)
            {
                var column = _columnOf[i];
                scores[i] = column >= 0 ? sums[column] : 0f; // an unmodelled item's column of B is zero
            }
        }
        finally
        {
            TopN.Return(buffer);
        }
    }
}
