using System.Text.Json.Serialization;

namespace Recsys.AspNetCore;

/// <summary>Source-generated snake_case JSON for the endpoints (the host's own JSON settings are left alone).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(RecommendationRequest))]
[JsonSerializable(typeof(RecommendationResponse))]
[JsonSerializable(typeof(SimilarItemsResponse))]
[JsonSerializable(typeof(InteractionRequest))]
[JsonSerializable(typeof(List<InteractionRequest>))]
[JsonSerializable(typeof(InteractionsAccepted))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(ReloadResponse))]
[JsonSerializable(typeof(CachedRecommendations))]
internal sealed partial class RecommenderJsonContext : JsonSerializerContext;
