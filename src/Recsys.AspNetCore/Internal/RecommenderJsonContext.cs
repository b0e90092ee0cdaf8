using System.Text.Json.Serialization;
using Recsys.Serving;

namespace Recsys.AspNetCore;

/// <summary>Source-generated snake_case JSON for the endpoints (the host's own JSON settings are left alone).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(RecommendationRequest))]
[JsonSerializable(typeof(RecommendationResponse))]
[JsonSerializable(typeof(SimilarItemsResponse))]
[JsonSerializable(typeof(InteractionRequest))]
[JsonSerializable(typeof(List<InteractionRequest>))]
[JsonSerializable(typeof(InteractionsAccepted))]
[JsonSerializable(typeof(UserInteractionsResponse))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(ReloadResponse))]
[JsonSerializable(typeof(RetrainAccepted))]
[JsonSerializable(typeof(Recsys.Runs.RetrainingRun))]
[JsonSerializable(typeof(IReadOnlyList<Recsys.Runs.RetrainingRun>))]
internal sealed partial class RecommenderJsonContext : JsonSerializerContext;
