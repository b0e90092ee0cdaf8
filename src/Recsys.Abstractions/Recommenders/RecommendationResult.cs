namespace Recsys.Recommenders;

/// <summary>The answer to a <see cref="RecommendationRequest"/>.</summary>
/// <param name="Items">The items (dense indices of the model's <see cref="IRecommender.Items"/>), best first.</param>
/// <param name="ColdStart">Whether the model does not know the user and had nothing to fold in, so the items are its cold-start (popularity) ranking.</param>
public sealed record RecommendationResult(IReadOnlyList<ScoredItem> Items, bool ColdStart)
{
    /// <summary>Gets a value indicating whether the user's <see cref="RecommendationRequest.FoldIn"/> interactions shaped the items.</summary>
    public bool FoldedIn { get; init; }
}
