namespace Recsys.Serving;

/// <summary>Items similar to an item.</summary>
/// <param name="ItemId">The item asked about.</param>
/// <param name="SimilarItems">The most similar items, most similar first.</param>
/// <param name="Model">The model version that produced the list.</param>
/// <param name="ResponseTimeMs">The time taken, in milliseconds.</param>
public sealed record SimilarItemsResponse(string ItemId, IReadOnlyList<RecommendationItem> SimilarItems, ModelInfo Model, double ResponseTimeMs);
