using System.Text.Json.Serialization;

namespace Recsys.AspNetCore;

// The HTTP shapes, compatible with the original service's. Serialized snake_case (see RecommenderJson).

/// <summary>The body of <c>POST /recommendations</c>.</summary>
internal sealed class RecommendationRequest
{
    [JsonConverter(typeof(JsonIdConverter))]
    public string? UserId { get; set; }

    [JsonConverter(typeof(JsonCountConverter))]
    public int? NumRecommendations { get; set; }

    public bool? ExcludeSeen { get; set; }

    public string? Algorithm { get; set; }

    public RecommendationFilters? Filters { get; set; }
}

/// <summary>Filters of a recommendation request.</summary>
internal sealed class RecommendationFilters
{
    public List<string>? IncludeGenres { get; set; }

    public List<string>? ExcludeGenres { get; set; }

    [JsonConverter(typeof(JsonIdListConverter))]
    public List<string>? ExcludeItems { get; set; }

    public float? MinScore { get; set; }
}

internal sealed record RecommendationItem(string ItemId, float Score, string? Title);

internal sealed record ModelInfo(string Name, int Version);

internal sealed record RecommendationResponse(
    string UserId,
    IReadOnlyList<RecommendationItem> Recommendations,
    ModelInfo Model,
    string AlgorithmUsed,
    string? Fallback,
    string? Variant,
    double ResponseTimeMs,
    bool CacheHit);

internal sealed record SimilarItemsResponse(string ItemId, IReadOnlyList<RecommendationItem> SimilarItems, ModelInfo Model, double ResponseTimeMs);

/// <summary>One interaction of <c>POST /interactions</c>.</summary>
internal sealed class InteractionRequest
{
    [JsonConverter(typeof(JsonIdConverter))]
    public string? UserId { get; set; }

    [JsonConverter(typeof(JsonIdConverter))]
    public string? ItemId { get; set; }

    public float? Rating { get; set; }

    public long? Timestamp { get; set; }
}

internal sealed record InteractionsAccepted(int Accepted);

internal sealed record StatsResponse(
    ModelInfo? Model,
    string? Algorithm,
    string? Stage,
    IReadOnlyList<string> Aliases,
    DateTimeOffset? LoadedAt,
    int Users,
    int Items,
    IReadOnlyDictionary<string, double> Metrics,
    Recsys.Registry.ModelLineage? Lineage,
    long? StoredInteractions,
    string? LastError);

internal sealed record ReloadResponse(bool Success, IReadOnlyList<ReloadOutcome> Targets);

internal sealed record RetrainAccepted(string RunId, string StatusUrl);
