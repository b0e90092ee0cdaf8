using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recsys.Recommenders;

/// <summary>Renders a trainer's options as JSON for model files and the registry.</summary>
internal static class TrainerParameters
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string ToJson<TOptions>(TOptions options) => JsonSerializer.Serialize(options, Json);
}
