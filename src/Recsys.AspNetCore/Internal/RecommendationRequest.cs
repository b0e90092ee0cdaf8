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
