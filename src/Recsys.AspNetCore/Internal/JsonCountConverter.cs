using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recsys.AspNetCore;

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
