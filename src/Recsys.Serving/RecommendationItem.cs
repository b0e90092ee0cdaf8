namespace Recsys.Serving;

/// <summary>One recommended (or similar) item.</summary>
/// <param name="ItemId">The item id.</param>
/// <param name="Score">The model's score (higher is better).</param>
/// <param name="Title">The item's title when the model or <see cref="RecommenderOptions.MoviesPath"/> carries metadata.</param>
public sealed record RecommendationItem(string ItemId, float Score, string? Title);
