using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recsys.AspNetCore;

/// <summary>
/// An id as the original service's clients send it: a JSON string, or an integral JSON number (<c>1</c> and
/// <c>"1"</c> are the same id). Anything else (a fraction, a boolean, an object) is an error naming the value.
/// Written as a string.
/// </summary>
internal sealed class JsonIdConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadId(ref reader);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    internal static string? ReadId(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        JsonTokenType.Number when reader.TryGetInt64(out var whole) => whole.ToString(CultureInfo.InvariantCulture),
        JsonTokenType.Number when reader.TryGetDecimal(out var number) && decimal.Truncate(number) == number && number is >= long.MinValue and <= long.MaxValue
            => ((long)number).ToString(CultureInfo.InvariantCulture),
        JsonTokenType.Number => throw new JsonException("an id must be a string or an integer; this number has a fraction."),
        _ => throw new JsonException($"an id must be a string or an integer, not {Describe(reader.TokenType)}."),
    };

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };
}
