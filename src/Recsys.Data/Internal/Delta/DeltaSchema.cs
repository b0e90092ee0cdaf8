using System.Globalization;
using System.Text.Json;
using Recsys.Data.Internal.Columnar;

namespace Recsys.Data.Internal.Delta;

// The top-level fields of a Delta table's schema (metaData.schemaString), with their column-mapping names and ids.
internal sealed record DeltaField(string Name, string Type, bool Nullable, string PhysicalName, int? FieldId)
{
    // The logical value kind of a primitive type; null for struct, array, map, variant and unknown types.
    public ValueKind? Kind => KindOf(Type);

    public static ValueKind? KindOf(string type) => type switch
    {
        "boolean" => ValueKind.Boolean,
        "byte" => ValueKind.Byte,
        "short" => ValueKind.Short,
        "integer" => ValueKind.Int,
        "long" => ValueKind.Long,
        "float" => ValueKind.Float,
        "double" => ValueKind.Double,
        "string" => ValueKind.String,
        "binary" => ValueKind.Binary,
        "date" => ValueKind.Date,
        "timestamp" => ValueKind.Timestamp,
        "timestamp_ntz" => ValueKind.TimestampNtz,
        _ when type.StartsWith("decimal", StringComparison.Ordinal) => ValueKind.Decimal,
        _ => null,
    };
}

internal static class DeltaSchema
{
    public static IReadOnlyList<DeltaField> Parse(string schemaString, string table)
    {
        try
        {
            using var document = JsonDocument.Parse(schemaString);
            var fields = new List<DeltaField>();
            foreach (var field in document.RootElement.GetProperty("fields").EnumerateArray())
            {
                var name = field.GetProperty("name").GetString()!;
                var typeElement = field.GetProperty("type");
                var type = typeElement.ValueKind == JsonValueKind.String
                    ? typeElement.GetString()!
                    : typeElement.GetProperty("type").GetString()!;
                var nullable = !field.TryGetProperty("nullable", out var n) || n.ValueKind != JsonValueKind.False;
                var physicalName = name;
                int? id = null;
                if (field.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
                {
                    if (metadata.TryGetProperty("delta.columnMapping.physicalName", out var physical) && physical.GetString() is { Length: > 0 } p)
                    {
                        physicalName = p;
                    }

                    if (metadata.TryGetProperty("delta.columnMapping.id", out var idElement) && idElement.TryGetInt32(out var parsed))
                    {
                        id = parsed;
                    }
                }

                fields.Add(new DeltaField(name, type, nullable, physicalName, id));
            }

            return fields;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            var reason = e is JsonException json ? JsonErrors.Describe(json) : e.Message;
            throw new DeltaTableException(table, $"the table's schema (metaData.schemaString) is not a valid Delta schema: {reason}", e);
        }
    }

    // A partition value as the log writes it (a string; null for null) in the column's logical type.
    public static object? ParsePartitionValue(string? text, DeltaField field, string table)
    {
        if (text is null)
        {
            return null;
        }

        var kind = field.Kind ?? throw new DeltaTableException(table, $"the partition column '{field.Name}' has type {field.Type}, which cannot be a partition column");
        if (text.Length == 0 && kind != ValueKind.String)
        {
            return null;
        }

        var invariant = CultureInfo.InvariantCulture;
        try
        {
            return kind switch
            {
                ValueKind.Boolean => bool.Parse(text),
                ValueKind.Byte => sbyte.Parse(text, invariant),
                ValueKind.Short => short.Parse(text, invariant),
                ValueKind.Int => int.Parse(text, invariant),
                ValueKind.Long => long.Parse(text, invariant),
                ValueKind.Float => float.Parse(text, NumberStyles.Float, invariant),
                ValueKind.Double => double.Parse(text, NumberStyles.Float, invariant),
                ValueKind.Decimal => decimal.Parse(text, NumberStyles.Float, invariant),
                ValueKind.String => text,
                ValueKind.Binary => System.Text.Encoding.UTF8.GetBytes(text),
                ValueKind.Date => (long)(DateOnly.ParseExact(text, "yyyy-MM-dd", invariant).DayNumber - ColumnVector.UnixEpochDayNumber),
                ValueKind.Timestamp or ValueKind.TimestampNtz => ParseTimestampMicros(text),
                _ => throw new FormatException($"type {field.Type}"),
            };
        }
        catch (FormatException e)
        {
            throw new DeltaTableException(table, $"the partition value '{text}' of column '{field.Name}' is not a valid {field.Type}", e);
        }
        catch (OverflowException e)
        {
            throw new DeltaTableException(table, $"the partition value '{text}' of column '{field.Name}' is out of range for {field.Type}", e);
        }
    }

    // "2021-09-08 11:11:11[.ffffff]" (Spark, read as UTC) or ISO 8601 with an offset ("1970-01-01T00:00:00.123456Z").
    private static long ParseTimestampMicros(string text)
    {
        var styles = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal;
        var value = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, styles);
        return (value.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
    }
}
