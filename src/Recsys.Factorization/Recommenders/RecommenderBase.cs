using Recsys.Data;

namespace Recsys.Recommenders;

/// <summary>
/// Shared top-N machinery: a model scores every item for a user (or for an unknown user), and the base class
/// removes the user's training items, applies the filter and selects the best with <see cref="TopN"/>.
/// </summary>
internal abstract class RecommenderBase : IRecommender, ITrainingHistory, IFoldInRecommender
{
    protected RecommenderBase(string algorithm, TrainingFootprint training)
    {
        Algorithm = algorithm;
        Training = training;
    }

    public string Algorithm { get; }

    public IdMap Users => Training.Users;

    public IdMap Items => Training.Items;

    public TrainingFootprint Training { get; }

    /// <inheritdoc/>
    public Recsys.Data.RatingScale? ValueRange => Training.MinValue <= Training.MaxValue ? new(Training.MinValue, Training.MaxValue) : null;

    public abstract float Predict(int user, int item);

    public ReadOnlySpan<int> SeenItems(int user) => Training.Seen(user);

    public int[] ItemInteractionCounts()
    {
        var counts = new int[Items.Count];
        foreach (var item in Training.SeenItems)
        {
            counts[item]++;
        }

        return counts;
    }

    public virtual void Predict(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> destination)
    {
        if (items.Length != users.Length)
        {
            throw new ArgumentException($"{users.Length} users but {items.Length} items were given.", nameof(items));
        }

        if (destination.Length < users.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} predictions; {users.Length} are needed.", nameof(destination));
        }

        for (var k = 0; k < users.Length; k++)
        {
            destination[k] = Predict(users[k], items[k]);
        }
    }

    public int Recommend(int user, Span<ScoredItem> destination, RecommendationFilter? filter = null)
    {
        filter ??= RecommendationFilter.Default;
        if (user >= Users.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(user), user, $"User index {user} is outside 0 … {Users.Count - 1} (use -1 for an unknown user).");
        }

        if (user < -1)
        {
            user = -1;
        }

        var itemCount = Items.Count;
        var buffer = TopN.Rent(itemCount);
        try
        {
            var scores = buffer.AsSpan(0, itemCount);
            if (user >= 0 && TryRecommendScreened(user, scores, destination, filter, out var written))
            {
                return written;
            }

            ScoreAll(user, scores);
            MarkSeen(user, scores, filter);
            return TopN.Select(scores, destination, filter);
        }
        finally
        {
            TopN.Return(buffer);
        }
    }

    /// <inheritdoc/>
    public virtual bool SupportsFoldIn => false;

    /// <inheritdoc/>
    public (int Written, bool FoldedIn) RecommendFromHistory(int user, ReadOnlySpan<int> items, ReadOnlySpan<float> values, Span<ScoredItem> destination, RecommendationFilter? filter = null)
    {
        filter ??= RecommendationFilter.Default;
        if (items.Length != values.Length)
        {
            throw new ArgumentException($"{items.Length} items but {values.Length} values were given.", nameof(values));
        }

        if (user >= Users.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(user), user, $"User index {user} is outside 0 … {Users.Count - 1} (use -1 for an unknown user).");
        }

        user = Math.Max(user, -1);

        // Only what the model did not learn of the user counts (and only items it knows); the latest value of an item wins.
        var fresh = new Dictionary<int, float>();
        var learned = user >= 0 ? Training.Seen(user) : [];
        for (var k = 0; k < items.Length; k++)
        {
            if ((uint)items[k] < (uint)Items.Count && float.IsFinite(values[k]) && learned.IndexOf(items[k]) < 0)
            {
                fresh[items[k]] = values[k];
            }
        }

        if (!SupportsFoldIn || fresh.Count == 0)
        {
            return (Recommend(user, destination, filter), false);
        }

        var newItems = fresh.Keys.ToArray();
        var newValues = fresh.Values.ToArray();
        var itemCount = Items.Count;
        var buffer = TopN.Rent(itemCount);
        try
        {
            var scores = buffer.AsSpan(0, itemCount);
            if (!ScoreHistory(user, newItems, newValues, scores))
            {
                return (Recommend(user, destination, filter), false);
            }

            MarkSeen(user, scores, filter);
            return (TopN.Select(scores, destination, filter), true);
        }
        finally
        {
            TopN.Return(buffer);
        }
    }

    /// <summary>
    /// Writes the ranking score of every item for a user (-1: unknown to the model) from what the model learned of them
    /// plus <paramref name="items"/> (which it did not learn, each once), or returns false when the history gives the
    /// model nothing to fold in (for example no item reaches its positive threshold).
    /// </summary>
    protected virtual bool ScoreHistory(int user, ReadOnlySpan<int> items, ReadOnlySpan<float> values, Span<float> scores) => false;

    /// <summary>
    /// A faster top-N for a known user that returns exactly what scoring every item and <see cref="TopN.Select"/>
    /// would (same items, scores and order), or false to take that path. <paramref name="scores"/> is scratch space
    /// of one score per item.
    /// </summary>
    protected virtual bool TryRecommendScreened(int user, Span<float> scores, Span<ScoredItem> destination, RecommendationFilter filter, out int written)
    {
        written = 0;
        return false;
    }

    /// <summary>Marks the user's training items as excluded (NaN) when the filter excludes seen items.</summary>
    protected void MarkSeen(int user, Span<float> scores, RecommendationFilter filter)
    {
        if (user >= 0 && filter.ExcludeSeen)
        {
            foreach (var seen in Training.Seen(user))
            {
                scores[seen] = float.NaN;
            }
        }
    }

    /// <summary>Writes the ranking score of every item for a user (-1 for an unknown user), before any filter.</summary>
    internal void ScoreAll(int user, Span<float> scores)
    {
        if (user >= 0)
        {
            ScoreItems(user, scores);
        }
        else
        {
            ScoreItemsForUnknownUser(scores);
        }
    }

    /// <summary>Writes a ranking score for every item for a known user.</summary>
    protected abstract void ScoreItems(int user, Span<float> scores);

    /// <summary>
    /// Writes the cold-start ranking score of every item: the one policy the evaluator, the CLI and HTTP share. By
    /// default an item's training interactions as a share of the most interacted item's (popularity).
    /// </summary>
    protected virtual void ScoreItemsForUnknownUser(Span<float> scores) => Training.PopularityShares().CopyTo(scores);

    /// <summary>Clamps a prediction to the training value range.</summary>
    protected float Clamp(double prediction) => (float)Math.Clamp(prediction, Training.MinValue, Training.MaxValue);
}
