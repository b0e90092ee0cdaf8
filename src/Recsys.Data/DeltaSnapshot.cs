using System.Runtime.CompilerServices;
using Recsys.Data.Internal.Columnar;
using Recsys.Data.Internal.Delta;

namespace Recsys.Data;

/// <summary>A Delta table at one version: its schema, its live files and its rows.</summary>
public sealed class DeltaSnapshot
{
    private readonly DeltaState _state;

    internal DeltaSnapshot(DeltaState state)
    {
        _state = state;
        Columns = [.. state.Schema.Select(f => new DataSourceColumn(f.Name, f.Type, state.PartitionColumns.Contains(f.Name)))];
    }

    /// <summary>Gets the table's directory.</summary>
    public string Path => _state.TableRoot;

    /// <summary>Gets the version read.</summary>
    public long Version => _state.Version;

    /// <summary>Gets when the version was committed (its in-commit timestamp, or its commit file's modification time).</summary>
    public DateTimeOffset Timestamp => _state.Timestamp;

    /// <summary>Gets the version of the checkpoint the state was rebuilt from, or <see langword="null"/> when it was rebuilt from the commits alone.</summary>
    public long? CheckpointVersion => _state.CheckpointVersion;

    /// <summary>Gets the table's id (metaData.id).</summary>
    public string? TableId => _state.TableId;

    /// <summary>Gets the protocol's minimum reader version.</summary>
    public int ReaderVersion => _state.ReaderVersion;

    /// <summary>Gets the reader features the table uses (reader version 3).</summary>
    public IReadOnlyList<string> ReaderFeatures => _state.ReaderFeatures;

    /// <summary>Gets the column mapping mode in force: <c>none</c>, <c>name</c> or <c>id</c>.</summary>
    public string ColumnMappingMode => _state.ColumnMappingMode;

    /// <summary>Gets the table's top-level columns, in schema order.</summary>
    public IReadOnlyList<DataSourceColumn> Columns { get; }

    /// <summary>Gets the live data files, as the log names them (relative to the table unless absolute).</summary>
    public IReadOnlyList<string> Files => [.. _state.Files.Select(f => f.LoggedPath)];

    /// <summary>Reads the rows of the snapshot: every live file, without the rows its deletion vector deletes.</summary>
    /// <param name="columns">The columns to read, by logical name; <see langword="null"/> reads every column (and fails if one is complex).</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>One array per row, values in the order of <paramref name="columns"/>: <see cref="bool"/>, <see cref="sbyte"/>, <see cref="short"/>, <see cref="int"/>, <see cref="long"/>, <see cref="float"/>, <see cref="double"/>, <see cref="decimal"/>, <see cref="string"/>, <see cref="byte"/>[], <see cref="DateOnly"/> or <see cref="DateTime"/> (UTC for <c>timestamp</c>), or <see langword="null"/>.</returns>
    /// <exception cref="DeltaTableException">A column does not exist or is of a type Recsys does not read, or a data file or deletion vector cannot be read.</exception>
    public async IAsyncEnumerable<object?[]> ReadRowsAsync(IReadOnlyList<string>? columns = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var names = columns ?? [.. _state.Schema.Select(f => f.Name)];
        await foreach (var batch in ScanAsync(names, cancellationToken).ConfigureAwait(false))
        {
            for (var row = 0; row < batch.RowCount; row++)
            {
                if (batch.Deleted?[row] == true)
                {
                    continue;
                }

                var values = new object?[batch.Columns.Length];
                for (var c = 0; c < values.Length; c++)
                {
                    values[c] = batch.Columns[c].Get(row);
                }

                yield return values;
            }
        }
    }

    /// <summary>Counts the rows of the snapshot (live files, minus deleted rows) from the files' metadata.</summary>
    /// <param name="cancellationToken">Stops the count.</param>
    /// <returns>The number of rows.</returns>
    public async Task<long> CountRowsAsync(CancellationToken cancellationToken = default) =>
        (await CountAsync(cancellationToken).ConfigureAwait(false)).Live;

    // Rows stored in the live files, deleted ones included (from their footers): what a reader must make room for.
    internal async Task<long> CountStoredRowsAsync(CancellationToken cancellationToken) =>
        (await CountAsync(cancellationToken).ConfigureAwait(false)).Stored;

    private async Task<(long Stored, long Live)> CountAsync(CancellationToken cancellationToken)
    {
        long stored = 0, live = 0;
        await foreach (var batch in ScanAsync([], cancellationToken).ConfigureAwait(false))
        {
            stored += batch.RowCount;
            live += batch.RowCount - (batch.Deleted?.Count(d => d) ?? 0);
        }

        return (stored, live);
    }

    internal async IAsyncEnumerable<ScanBatch> ScanAsync(IReadOnlyList<string> names, [EnumeratorCancellation] CancellationToken cancellationToken, ScanDestination? destination = null)
    {
        var table = _state.TableRoot;
        var columns = new List<ScanColumn>(names.Count);
        foreach (var name in names)
        {
            var field = _state.Schema.FirstOrDefault(f => f.Name == name)
                ?? _state.Schema.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new DeltaTableException(table, $"the table has no column named '{name}' (columns: {string.Join(", ", _state.Schema.Select(f => $"{f.Name} {f.Type}"))})");
            if (field.Kind is null)
            {
                throw new DeltaTableException(table, $"the column '{field.Name}' has type {field.Type}; Recsys reads integer, floating-point, decimal, string, boolean, date and timestamp columns");
            }

            columns.Add(new ScanColumn(field.Name, field.Kind, field.PhysicalName, field.FieldId, _state.PartitionColumns.Contains(field.Name)));
        }

        var match = _state.ColumnMappingMode switch
        {
            "id" => ColumnMatch.ByFieldId,
            "name" => ColumnMatch.ByPhysicalName,
            _ => ColumnMatch.ByName,
        };
        var files = _state.Files.Select(file => new ScanFile(
            file.FullPath,
            PartitionValues(file),
            file.DeletionVector is { } dv ? () => DeletionVectors.Read(dv, table, table) : null));
        var scan = ColumnarScan.ScanAsync(files, columns, match, missingIsNull: true, cancellationToken, destination).ConfigureAwait(false);
        await using var batches = scan.GetAsyncEnumerator();
        while (true)
        {
            try
            {
                if (!await batches.MoveNextAsync())
                {
                    break;
                }
            }
            catch (InvalidDataException e)
            {
                throw new DeltaTableException(table, e.Message, e);
            }

            yield return batches.Current;
        }
    }

    private Dictionary<string, object?> PartitionValues(DeltaLiveFile file)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var name in _state.PartitionColumns)
        {
            var field = _state.Schema.FirstOrDefault(f => f.Name == name)
                ?? throw new DeltaTableException(_state.TableRoot, $"the partition column '{name}' is not in the schema");
            // With column mapping the log keys partition values by physical name.
            if (!file.PartitionValues.TryGetValue(field.PhysicalName, out var text) && !file.PartitionValues.TryGetValue(name, out text))
            {
                throw new DeltaTableException(_state.TableRoot, $"the file {file.LoggedPath} has no partition value for '{name}'");
            }

            values[name] = DeltaSchema.ParsePartitionValue(text, field, _state.TableRoot);
        }

        return values;
    }
}
