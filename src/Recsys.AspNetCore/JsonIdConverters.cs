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

/// <summary>A list of ids, each a string or an integral number (see <see cref="JsonIdConverter"/>).</summary>
internal sealed class JsonIdListConverter : JsonConverter<List<string>>
{
    public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"expected an array of ids, not {JsonIdConverter.Describe(reader.TokenType)}.");
        }

        var ids = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            ids.Add(JsonIdConverter.ReadId(ref reader) ?? throw new JsonException("an id in the list is null."));
        }

        return ids;
    }

    public override void Write(Utf8JsonWriter writer, List<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var id in value)
        {
            writer.WriteStringValue(id);
        }

        writer.WriteEndArray();
    }
}

/// <summary>A count: an integral JSON number, also written with a fraction of zero (<c>10.0</c>), as the original's clients do.</summary>
internal sealed class JsonCountConverter : JsonConverter<int?>
{
    public override bool HandleNull => true;

    public override int? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number when reader.TryGetInt32(out var whole) => whole,
        JsonTokenType.Number when reader.TryGetDecimal(out var number) && decimal.Truncate(number) == number && number is >= int.MinValue and <= int.MaxValue => (int)number,
        JsonTokenType.Number => throw new JsonException("a count must be a whole number."),
        _ => throw new JsonException($"a count must be a number, not {JsonIdConverter.Describe(reader.TokenType)}."),
    };

    public override void Write(Utf8JsonWriter writer, int? value, JsonSerializerOptions options)
    {
        if (value is { } v)
        {
            writer.WriteNumberValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
