using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recsys.AspNetCore;

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
