using System.Text.Json.Serialization;

namespace Recsys.AspNetCore;

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
