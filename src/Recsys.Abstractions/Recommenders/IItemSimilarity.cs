namespace Recsys.Recommenders;

/// <summary>A model that can find items similar to a given item (for "more like this").</summary>
public interface IItemSimilarity
{
    /// <summary>Writes the items most similar to <paramref name="item"/> into <paramref name="destination"/>, most similar first; the item itself is left out.</summary>
    /// <param name="item">An item index in <see cref="IRecommender.Items"/>.</param>
    /// <param name="destination">Receives at most <c>destination.Length</c> items; scores are similarities in [-1, 1].</param>
    /// <param name="filter">Allow-list, deny-list, predicate and minimum score; <see cref="RecommendationFilter.ExcludeSeen"/> is ignored.</param>
    /// <returns>How many items were written.</returns>
    int SimilarItems(int item, Span<ScoredItem> destination, RecommendationFilter? filter = null);
}
