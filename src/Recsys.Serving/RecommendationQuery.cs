namespace Recsys.Serving;

/// <summary>What a caller asks <see cref="IRecommendationService.RecommendAsync"/> for (the same fields as HTTP's <c>POST /recommendations</c>).</summary>
public sealed record RecommendationQuery
{
    /// <summary>Gets the user id (any text up to <see cref="RecommenderOptions.MaxIdLength"/> characters, no control characters).</summary>
    public required string UserId { get; init; }

    /// <summary>Gets how many items to return (1 to <see cref="RecommenderOptions.MaxCount"/>); <see langword="null"/> for <see cref="RecommenderOptions.DefaultCount"/>.</summary>
    public int? Count { get; init; }

    /// <summary>Gets a value indicating whether the user's whole history (the model's training data and every stored interaction) is left out.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ExcludeSeen { get; init; } = true;

    /// <summary>Gets an alias of the served model, or another registered model's name (for example <c>svd</c>); <see langword="null"/> for the configured target (or the user's A/B arm).</summary>
    public string? Algorithm { get; init; }

    /// <summary>Gets genres of which an item must have one (needs item metadata).</summary>
    public IReadOnlyList<string> IncludeGenres { get; init; } = [];

    /// <summary>Gets genres an item must not have (needs item metadata).</summary>
    public IReadOnlyList<string> ExcludeGenres { get; init; } = [];

    /// <summary>Gets item ids that must not be returned.</summary>
    public IReadOnlyList<string> ExcludeItems { get; init; } = [];

    /// <summary>Gets the lowest score an item may have; <see langword="null"/> for no limit.</summary>
    public float? MinScore { get; init; }
}
