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

    // Reads into `reuse` when it fits (same kind and row count, as for every full row group of a file), so a scan
    // allocates its column buffers once rather than per row group.
    public static async ValueTask<ColumnVector> ReadAsync(ParquetRowGroupReader rowGroup, DataField field, ValueKind kind, ColumnVector? reuse, CancellationToken cancellationToken)
    {
        var count = checked((int)rowGroup.RowCount);
        ColumnVector vector;
        if (reuse is not null && reuse.Kind == kind && reuse.Count == count)
        {
            vector = reuse;
            Array.Clear(vector.Nulls);
        }
        else
        {
            vector = ColumnVector.Create(kind, count);
        }

        var type = field.ClrType;
        if (type == typeof(ReadOnlyMemory<char>) || type == typeof(string))
        {
            var values = vector.Strings!;
            await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                vector.Nulls[i] = values[i] is null;
            }
        }
        else if (type == typeof(ReadOnlyMemory<byte>) || type == typeof(byte[]))
        {
            var values = vector.Bytes!;
            await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                vector.Nulls[i] = values[i] is null;
            }
        }
        else if (type == typeof(bool))
        {
            await ReadStructAsync<bool>(rowGroup, field, vector, static v => v ? 1L : 0L, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(sbyte))
        {
            await ReadStructAsync<sbyte>(rowGroup, field, vector, static v => (long)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(byte))
        {
            await ReadStructAsync<byte>(rowGroup, field, vector, static v => (long)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(short))
        {
            await ReadStructAsync<short>(rowGroup, field, vector, static v => (long)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(ushort))
        {
            await ReadStructAsync<ushort>(rowGroup, field, vector, static v => (long)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(int))
        {
            await ReadStructAsync<int>(rowGroup, field, vector, static v => (long)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(uint))
        {
            await ReadStructAsync<uint>(rowGroup, field, vector, static v => (long)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(long))
        {
            await ReadStructAsync<long>(rowGroup, field, vector, static v => (long)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(float))
        {
            await ReadStructAsync<float>(rowGroup, field, vector, static v => (double)v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(double))
        {
            await ReadStructAsync<double>(rowGroup, field, vector, static v => v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(decimal))
        {
            await ReadStructAsync(rowGroup, field, vector, static (decimal v) => v, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(DateOnly))
        {
            await ReadStructAsync<DateOnly>(rowGroup, field, vector, static v => (long)(v.DayNumber - ColumnVector.UnixEpochDayNumber), cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(DateTime))
        {
            await ReadStructAsync<DateTime>(rowGroup, field, vector, static v => (v.Ticks - DateTime.UnixEpoch.Ticks) / 10, cancellationToken).ConfigureAwait(false);
        }
        else if (type == typeof(DateTimeOffset))
        {
            await ReadStructAsync<DateTimeOffset>(rowGroup, field, vector, static v => (v.UtcTicks - DateTime.UnixEpoch.Ticks) / 10, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new NotSupportedException($"Parquet type {type.Name} is not read.");
        }

        return vector;
    }

    private static ValueTask ReadStructAsync<T>(ParquetRowGroupReader rowGroup, DataField field, ColumnVector vector, Func<T, long> convert, CancellationToken cancellationToken)
        where T : struct => ReadIntoAsync(rowGroup, field, vector, vector.Longs!, convert, cancellationToken);

    private static ValueTask ReadStructAsync<T>(ParquetRowGroupReader rowGroup, DataField field, ColumnVector vector, Func<T, double> convert, CancellationToken cancellationToken)
        where T : struct => ReadIntoAsync(rowGroup, field, vector, vector.Doubles!, convert, cancellationToken);

    private static ValueTask ReadStructAsync(ParquetRowGroupReader rowGroup, DataField field, ColumnVector vector, Func<decimal, decimal> convert, CancellationToken cancellationToken) =>
        ReadIntoAsync(rowGroup, field, vector, vector.Decimals!, convert, cancellationToken);

    private static async ValueTask ReadIntoAsync<T, TOut>(ParquetRowGroupReader rowGroup, DataField field, ColumnVector vector, TOut[] target, Func<T, TOut> convert, CancellationToken cancellationToken)
        where T : struct
    {
        var count = vector.Count;
        if (!field.IsNullable)
        {
            var required = ArrayPool<T>.Shared.Rent(count);
            try
            {
                await rowGroup.ReadAsync(field, required.AsMemory(0, count), null, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    target[i] = convert(required[i]);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(required);
            }

            return;
        }

        var values = ArrayPool<T?>.Shared.Rent(count);
        try
        {
            await rowGroup.ReadAsync(field, values.AsMemory(0, count), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                if (values[i] is { } value)
                {
                    target[i] = convert(value);
                }
                else
                {
                    vector.Nulls[i] = true;
                }
            }
        }
        finally
        {
            ArrayPool<T?>.Shared.Return(values);
        }
    }
}
