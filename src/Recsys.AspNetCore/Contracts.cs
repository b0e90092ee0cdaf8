using System.Text.Json.Serialization;
using Recsys.Serving;

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

/// <summary>One interaction of <c>POST /interactions</c>.</summary>
internal sealed class InteractionRequest
{
    [JsonConverter(typeof(JsonIdConverter))]
    public string? UserId { get; set; }

    [JsonConverter(typeof(JsonIdConverter))]
    public string? ItemId { get; set; }

    /// <summary>The rating or signal strength; without one the interaction's value is 1 (an implicit signal).</summary>
    public float? Rating { get; set; }

    public long? Timestamp { get; set; }

    /// <summary>What kind of interaction it was (view, click, rating, purchase …); stored and returned as given.</summary>
    public string? InteractionType { get; set; }
}

/// <summary>One stored interaction, as <c>GET /users/{user_id}/interactions</c> returns it.</summary>
internal sealed record StoredInteraction(string ItemId, float Rating, long Timestamp, string? InteractionType);

/// <summary>The body of <c>GET /users/{user_id}/interactions</c>.</summary>
internal sealed record UserInteractionsResponse(string UserId, IReadOnlyList<StoredInteraction> Interactions);

internal sealed record InteractionsAccepted(int Accepted);

internal sealed record ReloadResponse(bool Success, IReadOnlyList<ReloadOutcome> Targets);

internal sealed record RetrainAccepted(string RunId, string StatusUrl);
