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

// Streams the chosen columns of Parquet files row group by row group: memory is bounded by one row group. A batch's
// buffers are reused for the next row group, so a consumer must be done with a batch before it asks for the next.
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

                // Row group g + 1 is decoded on the thread pool while the consumer works on g (one read at a time on the
                // reader). It refills the buffers of g - 1: the consumer is done with a batch when it asks for the next.
                ColumnVector[]? previous = null;
                Task<ColumnVector[]>? next = null;
                try
                {
                    for (var g = 0; g < reader.RowGroupCount; g++)
                    {
                        var vectors = next is null
                            ? await ReadRowGroupAsync(reader, g, file, columns, fields, null, cancellationToken).ConfigureAwait(false)
                            : await next.ConfigureAwait(false);
                        next = null;
                        if (g + 1 < reader.RowGroupCount)
                        {
                            var (group, reuse) = (g + 1, previous);
                            next = Task.Run(() => ReadRowGroupAsync(reader, group, file, columns, fields, reuse, cancellationToken), cancellationToken);
                        }

                        var count = vectors.Length > 0 ? vectors[0].Count : checked((int)reader.RowGroups[g].RowCount);
                        bool[]? mask = null;
                        while (nextDeleted < deleted.Length && deleted[nextDeleted] < firstRow + count)
                        {
                            mask ??= new bool[count];
                            mask[deleted[nextDeleted] - firstRow] = true;
                            nextDeleted++;
                        }

                        yield return new ScanBatch(file.FullPath, g, firstRow, count, vectors, mask);
                        previous = vectors;
                        firstRow += count;
                    }
                }
                finally
                {
                    // A consumer that stopped early leaves a read in flight: let it end before the reader is disposed.
                    // Its result (or failure) belongs to a batch nobody asked for.
                    if (next is not null)
                    {
                        await next.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                    }
                }

                if (nextDeleted < deleted.Length)
                {
                    throw new InvalidDataException($"{file.FullPath}: its deletion vector deletes row {deleted[nextDeleted]}, but the file has {firstRow} rows");
                }
            }
        }
    }

    private static async Task<ColumnVector[]> ReadRowGroupAsync(
        ParquetReader reader,
        int g,
        ScanFile file,
        IReadOnlyList<ScanColumn> columns,
        (DataField Field, ValueKind Kind)?[] fields,
        ColumnVector[]? reuse,
        CancellationToken cancellationToken)
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
                vectors[c] = await ReadColumnAsync(rowGroup, field.Field, field.Kind, reuse?[c], file.FullPath, g, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                vectors[c] = ColumnVector.AllNull(column.Kind ?? ValueKind.String, count);
            }
        }

        return vectors;
    }

    private static async ValueTask<ColumnVector> ReadColumnAsync(ParquetRowGroupReader rowGroup, DataField field, ValueKind kind, ColumnVector? reuse, string file, int g, CancellationToken cancellationToken)
    {
        try
        {
            return await ParquetColumns.ReadAsync(rowGroup, field, kind, reuse, cancellationToken).ConfigureAwait(false);
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
