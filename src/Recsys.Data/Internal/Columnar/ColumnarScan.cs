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

// Lends the scan a consumer's array for one column of one row group: rows [scanRow, scanRow + count) of the whole
// scan (every file, deleted rows included), as ColumnVector.Borrow makes it; null lets the scan use its own buffer.
// The next row group is decoded only when the consumer asks for it, into the rows after the current batch's.
internal delegate ColumnVector? ScanDestination(int column, ValueKind kind, long scanRow, int count);

// Streams the chosen columns of Parquet files row group by row group: memory is bounded by one row group (or by
// none, when the consumer lends its own arrays). A batch's buffers are reused for the next row group, so a consumer
// must be done with a batch before it asks for the next. Row groups are decoded one at a time, on the consumer's
// turn: decoding the next one ahead was 20 % faster but held a second row group's buffers and garbage, which cost
// more memory than the lakehouse budget (1.5x the dataset) allows.
internal static class ColumnarScan
{
    public static async IAsyncEnumerable<ScanBatch> ScanAsync(
        IEnumerable<ScanFile> files,
        IReadOnlyList<ScanColumn> columns,
        ColumnMatch match,
        bool missingIsNull,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        ScanDestination? destination = null)
    {
        long scanRow = 0;
        long decoded = 0;
        foreach (var file in files)
        {
            var deleted = file.DeletedRows?.Invoke() ?? [];
            var (reader, remote) = await ParquetColumns.OpenForScanAsync(file.FullPath, cancellationToken).ConfigureAwait(false);

            await using (reader.ConfigureAwait(false))
            {
                var fields = Resolve(reader.Schema, file.FullPath, columns, match, missingIsNull);
                long firstRow = 0;
                var nextDeleted = 0;

                ColumnVector[]? previous = null;
                for (var g = 0; g < reader.RowGroupCount; g++)
                {
                    // In remote storage this row group's column chunks and the next one's are requested together
                    // (concurrently), so the next group's arrive while this one is decoded.
                    remote?.Prefetch(ChunkRanges(reader, g, fields).Concat(g + 1 < reader.RowGroupCount ? ChunkRanges(reader, g + 1, fields) : []));

                    var vectors = await ReadRowGroupAsync(reader, g, file, columns, fields, previous, destination, scanRow, cancellationToken).ConfigureAwait(false);
                    var count = checked((int)reader.RowGroups[g].RowCount);
                    bool[]? mask = null;
                    while (nextDeleted < deleted.Length && deleted[nextDeleted] < firstRow + count)
                    {
                        mask ??= new bool[count];
                        mask[deleted[nextDeleted] - firstRow] = true;
                        nextDeleted++;
                    }

                    decoded += CompressedBytes(reader, g, fields);
                    if (decoded >= CollectAfterCompressedBytes)
                    {
                        decoded = 0;
                        GC.Collect(2, GCCollectionMode.Forced, blocking: false, compacting: false);
                    }

                    yield return new ScanBatch(file.FullPath, g, firstRow, count, vectors, mask);
                    previous = vectors;
                    firstRow += count;
                    scanRow += count;
                }

                if (nextDeleted < deleted.Length)
                {
                    throw new InvalidDataException($"{file.FullPath}: its deletion vector deletes row {deleted[nextDeleted]}, but the file has {firstRow} rows");
                }
            }
        }
    }

    // Parquet.Net (6.1) copies each compressed page into a fresh array, through a growing MemoryStream: about three
    // times the compressed column chunk, every row group, all of it on the large-object heap, which the GC leaves for
    // its next gen2 collection — by default after hundreds of megabytes, several times what a row group needs. Once
    // this scan has decoded 8 MB of compressed column chunks (about 24 MB of such garbage) since its last request, it
    // requests a background (non-blocking) gen2 collection, so a load peaks near its data's size (measured in the
    // README). The count is the scan's own, from the files' metadata: other work in the process does not trigger it,
    // and small tables never do.
    private const long CollectAfterCompressedBytes = 8L << 20;

    // Where the column chunks a scan reads lie in the file: from the dictionary page (when there is one) on, the chunk's
    // compressed size.
    private static IEnumerable<(long Offset, long Length)> ChunkRanges(ParquetReader reader, int g, (DataField Field, ValueKind Kind)?[] fields)
    {
        foreach (var field in fields)
        {
            if (field is { } f && reader.RowGroups[g].GetMetadata(f.Field)?.MetaData is { } chunk)
            {
                var start = chunk.DictionaryPageOffset is > 0 and var dictionary && dictionary < chunk.DataPageOffset ? dictionary : chunk.DataPageOffset;
                yield return (start, chunk.TotalCompressedSize);
            }
        }
    }

    private static long CompressedBytes(ParquetReader reader, int g, (DataField Field, ValueKind Kind)?[] fields)
    {
        long bytes = 0;
        foreach (var field in fields)
        {
            if (field is { } f && reader.RowGroups[g].GetMetadata(f.Field)?.MetaData is { } chunk)
            {
                bytes += chunk.TotalCompressedSize;
            }
        }

        return bytes;
    }

    private static async Task<ColumnVector[]> ReadRowGroupAsync(
        ParquetReader reader,
        int g,
        ScanFile file,
        IReadOnlyList<ScanColumn> columns,
        (DataField Field, ValueKind Kind)?[] fields,
        ColumnVector[]? reuse,
        ScanDestination? destination,
        long scanRow,
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
                var vector = destination?.Invoke(c, field.Kind, scanRow, count);
                if (vector is null && reuse?[c] is { IsOwned: true } previous && previous.Kind == field.Kind && previous.Count == count)
                {
                    previous.ClearNulls();
                    vector = previous;
                }

                vectors[c] = vector ?? ColumnVector.Create(field.Kind, count);
                await ReadColumnAsync(rowGroup, field.Field, vectors[c], file.FullPath, g, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                vectors[c] = ColumnVector.AllNull(column.Kind ?? ValueKind.String, count);
            }
        }

        return vectors;
    }

    private static async ValueTask ReadColumnAsync(ParquetRowGroupReader rowGroup, DataField field, ColumnVector vector, string file, int g, CancellationToken cancellationToken)
    {
        try
        {
            await ParquetColumns.ReadAsync(rowGroup, field, vector, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            // A damaged page fails inside a codec or decoder with whatever it throws (ZstdSharp's ZstdException, an
            // IndexOutOfRangeException from a decoder fed garbage): every such failure is named by file, row group and column.
            throw new InvalidDataException($"{file}: row group {g}, column '{field.Name}' cannot be read ({e.GetType().Name}): {e.Message}", e);
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
