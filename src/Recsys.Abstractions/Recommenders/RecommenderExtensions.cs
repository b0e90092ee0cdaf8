namespace Recsys.Recommenders;

/// <summary>Identifier-based conveniences over <see cref="IRecommender"/>.</summary>
public static class RecommenderExtensions
{
    /// <summary>Predicts the value a user would give an item, by identifiers; unknown identifiers get the fallback.</summary>
    /// <param name="recommender">The model.</param>
    /// <param name="userId">The user identifier.</param>
    /// <param name="itemId">The item identifier.</param>
    /// <returns>The prediction.</returns>
    public static float Predict(this IRecommender recommender, string userId, string itemId)
    {
        ArgumentNullException.ThrowIfNull(recommender);
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(itemId);
        return recommender.Predict(recommender.Users.IndexOf(userId), recommender.Items.IndexOf(itemId));
    }

    /// <summary>Returns the top <paramref name="count"/> items for a user, by identifier; unknown users get the cold-start ranking.</summary>
    /// <param name="recommender">The model.</param>
    /// <param name="userId">The user identifier.</param>
    /// <param name="count">How many items to return at most.</param>
    /// <param name="filter">Which items may be returned; <see langword="null"/> means <see cref="RecommendationFilter.Default"/>.</param>
    /// <returns>The items, best first.</returns>
    public static IReadOnlyList<RecommendedItem> Recommend(this IRecommender recommender, string userId, int count, RecommendationFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(recommender);
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var buffer = new ScoredItem[count];
        var written = recommender.Recommend(recommender.Users.IndexOf(userId), buffer, filter);
        var result = new RecommendedItem[written];
        for (var i = 0; i < written; i++)
        {
            result[i] = new RecommendedItem(recommender.Items[buffer[i].Item], buffer[i].Score);
        }

        return result;
    }

    /// <summary>
    /// Answers a top-N request: excludes the user's whole history when asked (training items and
    /// <see cref="RecommendationRequest.History"/>, also for a user the model does not know), applies the filters,
    /// and gives unknown users the model's cold-start ranking. HTTP serving and the CLI call this, so they agree.
    /// </summary>
    /// <param name="recommender">The model.</param>
    /// <param name="request">The request.</param>
    /// <returns>The items and whether the user was unknown.</returns>
    public static RecommendationResult Recommend(this IRecommender recommender, RecommendationRequest request)
    {
        ArgumentNullException.ThrowIfNull(recommender);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Count);
        HashSet<int>? excluded = null;
        void Exclude(IEnumerable<string>? ids)
        {
            foreach (var id in ids ?? [])
            {
                if (recommender.Items.TryGetIndex(id, out var index))
                {
                    (excluded ??= []).Add(index);
                }
            }
        }

        Exclude(request.ExcludeItems);
        if (request.ExcludeSeen)
        {
            Exclude(request.History);
        }

        var user = recommender.Users.IndexOf(request.UserId);
        var buffer = new ScoredItem[request.Count];
        var filter = new RecommendationFilter
        {
            ExcludeSeen = request.ExcludeSeen,
            ExcludedItems = excluded,
            ItemPredicate = request.ItemPredicate,
            MinScore = request.MinScore,
        };
        int written;
        var foldedIn = false;
        if (request.FoldIn is { Count: > 0 } history && recommender is IFoldInRecommender { SupportsFoldIn: true } folding)
        {
            var items = new List<int>(history.Count);
            var values = new List<float>(history.Count);
            foreach (var (id, value) in history)
            {
                if (recommender.Items.TryGetIndex(id, out var index))
                {
                    items.Add(index);
                    values.Add(value);
                }
            }

            (written, foldedIn) = folding.RecommendFromHistory(user, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(items), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values), buffer, filter);
        }
        else
        {
            written = recommender.Recommend(user, buffer, filter);
        }

        return new RecommendationResult(written == buffer.Length ? buffer : buffer[..written], user < 0 && !foldedIn) { FoldedIn = foldedIn };
    }
}
