using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace Recsys.Data.Internal.Columnar;

// How a logical column is found in a data file: by name (plain Parquet, Delta without column mapping), by the
// physical name (column mapping "name") or by the Parquet field id (column mapping "id").
internal enum ColumnMatch
{
    ByName,
    ByPhysicalName,
    ByFieldId,
}

internal sealed record ScanColumn(string Name, ValueKind? Kind, string PhysicalName, int? FieldId, bool IsPartition);

internal sealed record ScanFile(string FullPath, IReadOnlyDictionary<string, object?> PartitionValues, Func<long[]>? DeletedRows);

internal sealed record ScanBatch(string File, int RowGroup, long FirstRow, int RowCount, ColumnVector[] Columns, bool[]? Deleted);

// Streams the chosen columns of Parquet files row group by row group: memory is bounded by one row group.
internal static class ColumnarScan
{
    public static async IAsyncEnumerable<ScanBatch> ScanAsync(
        IEnumerable<ScanFile> files,
        IReadOnlyList<ScanColumn> columns,
        ColumnMatch match,
        bool missingIsNull,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            var deleted = file.DeletedRows?.Invoke() ?? [];
            ParquetReader reader;
            try
            {
                reader = await ParquetReader.CreateAsync(file.FullPath, ParquetColumns.ReaderOptions, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException)
            {
                throw new InvalidDataException($"{file.FullPath}: cannot be read as Parquet: {e.Message}", e);
            }

            await using (reader.ConfigureAwait(false))
            {
                var fields = Resolve(reader.Schema, file.FullPath, columns, match, missingIsNull);
                long firstRow = 0;
                var nextDeleted = 0;
                for (var g = 0; g < reader.RowGroupCount; g++)
                {
                    using var rowGroup = reader.OpenRowGroupReader(g);
                    var count = checked((int)rowGroup.RowCount);
                    var vectors = new ColumnVector[columns.Count];
                    for (var c = 0; c < columns.Count; c++)
                    {
                        var column = columns[c];
                        if (column.IsPartition)
                        {
                            vectors[c] = ColumnVector.Constant(column.Kind!.Value, file.PartitionValues.GetValueOrDefault(column.Name), count);
                        }
                        else if (fields[c] is { } field)
                        {
                            vectors[c] = await ReadColumnAsync(rowGroup, field.Field, field.Kind, file.FullPath, g, cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            vectors[c] = ColumnVector.AllNull(column.Kind ?? ValueKind.String, count);
                        }
                    }

                    bool[]? mask = null;
                    while (nextDeleted < deleted.Length && deleted[nextDeleted] < firstRow + count)
                    {
                        mask ??= new bool[count];
                        mask[deleted[nextDeleted] - firstRow] = true;
                        nextDeleted++;
                    }

                    yield return new ScanBatch(file.FullPath, g, firstRow, count, vectors, mask);
                    firstRow += count;
                }

                if (nextDeleted < deleted.Length)
                {
                    throw new InvalidDataException($"{file.FullPath}: its deletion vector deletes row {deleted[nextDeleted]}, but the file has {firstRow} rows");
                }
            }
        }
    }

    private static async ValueTask<ColumnVector> ReadColumnAsync(ParquetRowGroupReader rowGroup, DataField field, ValueKind kind, string file, int g, CancellationToken cancellationToken)
    {
        try
        {
            return await ParquetColumns.ReadAsync(rowGroup, field, kind, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or InvalidOperationException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"{file}: row group {g}, column '{field.Name}' cannot be read: {e.Message}", e);
        }
    }

    private static (DataField Field, ValueKind Kind)?[] Resolve(ParquetSchema schema, string file, IReadOnlyList<ScanColumn> columns, ColumnMatch match, bool missingIsNull)
    {
        var result = new (DataField, ValueKind)?[columns.Count];
        var hasFieldIds = schema.Fields.Any(f => f.SchemaElement?.FieldId is not null);
        for (var c = 0; c < columns.Count; c++)
        {
            var column = columns[c];
            if (column.IsPartition)
            {
                continue;
            }

            Field? found = match switch
            {
                ColumnMatch.ByFieldId when !hasFieldIds => throw new InvalidDataException(
                    $"{file}: the table maps columns by id, but this data file has no Parquet field ids"),
                ColumnMatch.ByFieldId => schema.Fields.FirstOrDefault(f => f.SchemaElement?.FieldId == column.FieldId),
                ColumnMatch.ByPhysicalName => schema.Fields.FirstOrDefault(f => f.Name == column.PhysicalName),
                _ => schema.Fields.FirstOrDefault(f => f.Name == column.Name)
                    ?? schema.Fields.FirstOrDefault(f => string.Equals(f.Name, column.Name, StringComparison.OrdinalIgnoreCase)),
            };
            if (found is null)
            {
                if (missingIsNull)
                {
                    continue;
                }

                throw new InvalidDataException(
                    $"{file}: there is no column named '{column.Name}' (columns: {string.Join(", ", schema.Fields.Select(f => $"{f.Name} {ParquetColumns.Describe(f)}"))})");
            }

            if (found is not DataField { MaxRepetitionLevel: 0 } data || ParquetColumns.KindOf(data) is not { } kind)
            {
                throw new InvalidDataException(
                    $"{file}: the column '{column.Name}' is {ParquetColumns.Describe(found)}; Recsys reads integer, floating-point, decimal, string, boolean, date and timestamp columns");
            }

            result[c] = (data, kind);
        }

        return result;
    }
}
