using System.Buffers;
using Parquet;
using Parquet.Schema;

namespace Recsys.Data.Internal.Columnar;

// Reads one primitive, non-repeated Parquet column of a row group into a ColumnVector, and says which logical type a
// Parquet field has (or why it has none Recsys reads).
internal static class ParquetColumns
{
    // Parquet.Net keeps freed pooled buffers without bound unless told: keep at most 32 MB of them.
    public static readonly ParquetOptions ReaderOptions = new()
    {
        UseDateOnlyTypeForDates = true,
        MaximumSmallPoolFreeBytes = 16 << 20,
        MaximumLargePoolFreeBytes = 16 << 20,
    };

    /// <summary>
    /// Opens a Parquet file's footer; a file that is not Parquet (truncated, another format in a folder of Parquet
    /// files) is an <see cref="InvalidDataException"/> naming the file, not Parquet.Net's bare "not a parquet file".
    /// </summary>
    public static async Task<ParquetReader> OpenAsync(string path, CancellationToken cancellationToken) =>
        (await OpenForScanAsync(path, cancellationToken).ConfigureAwait(false)).Reader;

    /// <summary>
    /// Opens a Parquet file's footer as <see cref="OpenAsync"/> does, and for an object in remote storage also returns
    /// its ranged stream, so a scan can announce the column chunks it will read next (fetched concurrently).
    /// </summary>
    public static async Task<(ParquetReader Reader, Storage.RangedReadStream? Remote)> OpenForScanAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            if (!Storage.FileStore.IsRemote(path))
            {
                return (await ParquetReader.CreateAsync(path, ReaderOptions, cancellationToken).ConfigureAwait(false), null);
            }

            var stream = Storage.FileStore.For(path).OpenRead(path);
            return (await ParquetReader.CreateAsync(stream, ReaderOptions, leaveStreamOpen: false, cancellationToken).ConfigureAwait(false), stream as Storage.RangedReadStream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException or Azure.RequestFailedException)
        {
            throw new InvalidDataException($"{path}: cannot be read as Parquet: {e.Message}", e);
        }
    }

    public static ValueKind? KindOf(DataField field)
    {
        var type = field.ClrType;
        if (type == typeof(bool))
        {
            return ValueKind.Boolean;
        }

        if (type == typeof(sbyte) || type == typeof(byte))
        {
            return ValueKind.Byte;
        }

        if (type == typeof(short) || type == typeof(ushort))
        {
            return ValueKind.Short;
        }

        if (type == typeof(int))
        {
            return ValueKind.Int;
        }

        if (type == typeof(long) || type == typeof(uint))
        {
            return ValueKind.Long;
        }

        if (type == typeof(ulong))
        {
            return ValueKind.UnsignedLong;
        }

        if (type == typeof(float))
        {
            return ValueKind.Float;
        }

        if (type == typeof(double))
        {
            return ValueKind.Double;
        }

        if (type == typeof(decimal))
        {
            return ValueKind.Decimal;
        }

        if (type == typeof(ReadOnlyMemory<char>) || type == typeof(string))
        {
            return ValueKind.String;
        }

        if (type == typeof(ReadOnlyMemory<byte>) || type == typeof(byte[]))
        {
            return ValueKind.Binary;
        }

        if (type == typeof(DateOnly))
        {
            return ValueKind.Date;
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return field is DateTimeDataField { IsAdjustedToUTC: false } ? ValueKind.TimestampNtz : ValueKind.Timestamp;
        }

        return null;
    }

    public static string Describe(Field field) => field switch
    {
        DataField { MaxRepetitionLevel: > 0 } => "a repeated field",
        DataField data => KindOf(data) is { } kind ? TypeName(kind) : $"Parquet type {data.ClrType.Name}",
        StructField => "a struct",
        ListField => "an array",
        MapField => "a map",
        _ => field.SchemaType.ToString(),
    };

    public static string TypeName(ValueKind kind) => kind switch
    {
        ValueKind.Boolean => "boolean",
        ValueKind.Byte => "byte",
        ValueKind.Short => "short",
        ValueKind.Int => "integer",
        ValueKind.Long => "long",
        ValueKind.UnsignedLong => "unsigned long",
        ValueKind.Float => "float",
        ValueKind.Double => "double",
        ValueKind.Decimal => "decimal",
        ValueKind.String => "string",
        ValueKind.Binary => "binary",
        ValueKind.Date => "date",
        ValueKind.Timestamp => "timestamp",
        ValueKind.TimestampNtz => "timestamp_ntz",
        _ => kind.ToString(),
    };

    // Fills `vector` (owned, reused or borrowed; Count rows) with the row group's column. int32, int64, float and
    // double columns are decoded straight into the vector's buffer, nulls included (Parquet gives the defined values
    // packed, then the definition levels place them); other types go through a pooled buffer of the stored type.
    public static async ValueTask ReadAsync(ParquetRowGroupReader rowGroup, DataField field, ColumnVector vector, CancellationToken cancellationToken)
    {
        var count = vector.Count;
        var type = field.ClrType;
        if (type == typeof(ReadOnlyMemory<char>) || type == typeof(string))
        {
            var values = vector.Strings!;
            await rowGroup.ReadAsync(field, values.AsMemory(vector.Offset, count), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                if (values[vector.Offset + i] is null)
                {
                    vector.MarkNull(i);
                }
            }
        }
        else if (type == typeof(ReadOnlyMemory<byte>) || type == typeof(byte[]))
        {
            var values = vector.Bytes!;
            await rowGroup.ReadAsync(field, values.AsMemory(vector.Offset, count), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                if (values[vector.Offset + i] is null)
                {
                    vector.MarkNull(i);
                }
            }
        }
        else if (type == typeof(int))
        {
            await ReadInPlaceAsync(rowGroup, field, vector, vector.Ints!, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(long))
        {
            await ReadInPlaceAsync(rowGroup, field, vector, vector.Longs!, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(float))
        {
            await ReadInPlaceAsync(rowGroup, field, vector, vector.Floats!, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(double))
        {
            await ReadInPlaceAsync(rowGroup, field, vector, vector.Doubles!, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(decimal))
        {
            await ReadInPlaceAsync(rowGroup, field, vector, vector.Decimals!, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(bool))
        {
            await ReadConvertedAsync(rowGroup, field, vector, vector.Longs!, static (bool v) => v ? 1L : 0L, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(sbyte))
        {
            await ReadConvertedAsync(rowGroup, field, vector, vector.Longs!, static (sbyte v) => (long)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(byte))
        {
            await ReadConvertedAsync(rowGroup, field, vector, vector.Longs!, static (byte v) => (long)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(short))
        {
            await ReadConvertedAsync(rowGroup, field, vector, vector.Longs!, static (short v) => (long)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(ushort))
        {
            await ReadConvertedAsync(rowGroup, field, vector, vector.Longs!, static (ushort v) => (long)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(uint))
        {
            await ReadConvertedAsync(rowGroup, field, vector, vector.Longs!, static (uint v) => (long)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(ulong))
        {
            await ReadConvertedAsync(rowGroup, field, vector, vector.Longs!, static (ulong v) => unchecked((long)v), cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(DateOnly))
        {
            await ReadConvertedAsync(rowGroup, field, vector, vector.Longs!, static (DateOnly v) => (long)(v.DayNumber - ColumnVector.UnixEpochDayNumber), cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(DateTime))
        {
            await ReadConvertedAsync(rowGroup, field, vector, vector.Longs!, static (DateTime v) => (v.Ticks - DateTime.UnixEpoch.Ticks) / 10, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(DateTimeOffset))
        {
            await ReadConvertedAsync(rowGroup, field, vector, vector.Longs!, static (DateTimeOffset v) => (v.UtcTicks - DateTime.UnixEpoch.Ticks) / 10, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new NotSupportedException($"Parquet type {type.Name} is not read.");
        }
    }

    // Decodes the defined values into target[Offset ..], then, for a nullable column, spreads them to their rows from
    // the back (value k of the packed run belongs to a row at or after k, so nothing unread is overwritten).
    private static async ValueTask ReadInPlaceAsync<T>(ParquetRowGroupReader rowGroup, DataField field, ColumnVector vector, T[] target, CancellationToken cancellationToken)
        where T : struct
    {
        var (count, offset) = (vector.Count, vector.Offset);
        if (field.MaxDefinitionLevel == 0)
        {
            await rowGroup.ReadRawAsync(field, target.AsMemory(offset, count), null, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var levels = ArrayPool<int>.Shared.Rent(count);
        try
        {
            await rowGroup.ReadRawAsync(field, target.AsMemory(offset, count), levels.AsMemory(0, count), null, cancellationToken).ConfigureAwait(false);
            var max = field.MaxDefinitionLevel;
            var defined = 0;
            for (var i = 0; i < count; i++)
            {
                defined += levels[i] == max ? 1 : 0;
            }

            for (var i = count - 1; i >= 0 && defined < i + 1; i--)
            {
                if (levels[i] == max)
                {
                    target[offset + i] = target[offset + --defined];
                }
                else
                {
                    target[offset + i] = default;
                    vector.MarkNull(i);
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(levels);
        }
    }

    private static async ValueTask ReadConvertedAsync<T, TOut>(ParquetRowGroupReader rowGroup, DataField field, ColumnVector vector, TOut[] target, Func<T, TOut> convert, CancellationToken cancellationToken)
        where T : struct
    {
        var (count, offset) = (vector.Count, vector.Offset);
        var raw = ArrayPool<T>.Shared.Rent(count);
        var levels = field.MaxDefinitionLevel > 0 ? ArrayPool<int>.Shared.Rent(count) : null;
        try
        {
            await rowGroup.ReadRawAsync(field, raw.AsMemory(0, count), levels?.AsMemory(0, count), null, cancellationToken).ConfigureAwait(false);
            var next = 0;
            for (var i = 0; i < count; i++)
            {
                if (levels is not null && levels[i] < field.MaxDefinitionLevel)
                {
                    vector.MarkNull(i);
                }
                else
                {
                    target[offset + i] = convert(raw[next++]);
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(raw);
            if (levels is not null)
            {
                ArrayPool<int>.Shared.Return(levels);
            }
        }
    }
}
