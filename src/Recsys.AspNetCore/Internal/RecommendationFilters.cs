using System.Text.Json.Serialization;

namespace Recsys.AspNetCore;

/// <summary>Filters of a recommendation request.</summary>
internal sealed class RecommendationFilters
{
    public List<string>? IncludeGenres { get; set; }

    public List<string>? ExcludeGenres { get; set; }

    [JsonConverter(typeof(JsonIdListConverter))]
    public List<string>? ExcludeItems { get; set; }

    public float? MinScore { get; set; }
}
