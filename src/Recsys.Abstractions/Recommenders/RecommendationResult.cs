namespace Recsys.Recommenders;

/// <summary>The answer to a <see cref="RecommendationRequest"/>.</summary>
/// <param name="Items">The items (dense indices of the model's <see cref="IRecommender.Items"/>), best first.</param>
/// <param name="ColdStart">Whether the model does not know the user, so the items are its cold-start (popularity) ranking.</param>
public sealed record RecommendationResult(IReadOnlyList<ScoredItem> Items, bool ColdStart);
