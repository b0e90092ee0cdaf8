namespace Recsys.Serving;

/// <summary>A recommendation list and where it came from (HTTP sends the same fields, snake_case).</summary>
/// <param name="UserId">The user.</param>
/// <param name="Recommendations">The items, best first.</param>
/// <param name="Model">The model version that produced the list.</param>
/// <param name="AlgorithmUsed">The model's algorithm, or <c>popularity</c> for the cold-start ranking.</param>
/// <param name="Fallback">How a user the model does not know was answered: <c>fold-in</c> (a list computed from their stored interactions, by the model) or <c>popularity</c> (the cold-start ranking); null for a user the model knows.</param>
/// <param name="Variant">The A/B arm (an alias) the user is assigned to, or null.</param>
/// <param name="ResponseTimeMs">The time taken, in milliseconds.</param>
/// <param name="CacheHit">Whether the list came from the cache.</param>
public sealed record RecommendationResponse(
    string UserId,
    IReadOnlyList<RecommendationItem> Recommendations,
    ModelInfo Model,
    string AlgorithmUsed,
    string? Fallback,
    string? Variant,
    double ResponseTimeMs,
    bool CacheHit);
