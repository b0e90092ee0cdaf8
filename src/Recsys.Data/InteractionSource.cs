using System.Globalization;
using Recsys.Data.Internal.Columnar;
using Recsys.Data.Internal.Storage;

namespace Recsys.Data;

/// <summary>Reads interactions from any source Recsys knows: delimited text, Parquet files or folders, Delta tables.</summary>
public static class InteractionSource
{
    /// <summary>
    /// What a rating costs while a source is read into memory to train on it, the figure a memory budget is compared
    /// with: the read holds 9 bytes a rating (user, item, a byte value) and the dataset it builds 5 (measured:
    /// docs/performance.md, "what a rating costs").
    /// </summary>
    public const long InMemoryBytesPerRating = 14;

    private static readonly byte[] ParquetMagic = "PAR1"u8.ToArray();

    /// <summary>Whether a file, folder or table exists at a path: a local path or an object-store URL (<c>az://container/path</c>, <c>abfss://container@account.dfs.core.windows.net/path</c>).</summary>
    /// <param name="path">The path or URL.</param>
    /// <returns><see langword="true"/> when something can be read there.</returns>
    public static bool Exists(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var store = FileStore.For(path);
        return store.FileExists(path) || store.DirectoryExists(path);
    }

    /// <summary>Says what kind of source a path is: a directory with a <c>_delta_log</c> is a Delta table, another directory or a file that starts with Parquet's magic bytes is Parquet, any other file is delimited text.</summary>
    /// <param name="path">The file or directory.</param>
    /// <returns>The kind.</returns>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>, or a directory holds neither a Delta log nor Parquet files.</exception>
    public static DataSourceKind Detect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var store = FileStore.For(path);
        if (!store.FileExists(path) && store.DirectoryExists(path))
        {
            if (DeltaTable.IsDeltaTable(path))
            {
                return DataSourceKind.Delta;
            }

            return ParquetFiles(path).Count > 0
                ? DataSourceKind.Parquet
                : throw new FileNotFoundException($"The directory '{path}' is neither a Delta table (no _delta_log) nor a folder of .parquet files.", path);
        }

        if (!store.FileExists(path))
        {
            throw new FileNotFoundException($"Nothing exists at '{path}'.", path);
        }

        using var file = store.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        return file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual(ParquetMagic)
            ? DataSourceKind.Parquet
            : DataSourceKind.Delimited;
    }

    /// <summary>Reads the interactions of a source.</summary>
    /// <param name="path">A delimited file, a Parquet file, a directory of Parquet files, or a Delta table directory.</param>
    /// <param name="options">How to read it; <see langword="null"/> for the defaults (kind detected, columns <c>userId</c>, <c>movieId</c>/<c>itemId</c>, <c>rating</c>, <c>timestamp</c>).</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The dataset, an account of bad rows, and (Delta) the version read.</returns>
    /// <exception cref="InteractionDataException">A column is missing or of a type that cannot hold its role, or (under <see cref="BadRowPolicy.Fail"/>) a row is bad; the message names the file (row group and row for Parquet).</exception>
    /// <exception cref="DeltaTableException">The Delta table cannot be read at the version asked for.</exception>
    /// <exception cref="FileNotFoundException">Nothing to read exists at <paramref name="path"/>.</exception>
    public static async Task<InteractionReadResult> ReadAsync(string path, InteractionSourceOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return (await ReadIntoAsync(path, options ?? new InteractionSourceOptions(), spool: null, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Reads the interactions of a source into files on disk instead of memory, for training beyond memory
    /// (<c>BiasedMatrixFactorizationTrainer.FitToFile</c>): in memory stay only the ids and a count a user and an item.
    /// Timestamps are not read.
    /// </summary>
    /// <param name="path">A delimited file, a Parquet file, a directory of Parquet files, or a Delta table directory.</param>
    /// <param name="directory">The folder in which the spool makes its own folder (deleted when the spool is disposed); created when missing.</param>
    /// <param name="options">How to read the source, as for <see cref="ReadAsync"/>.</param>
    /// <param name="holdoutFraction">The share of (user, item) pairs to keep in memory as <see cref="InteractionSpool.Holdout"/> instead of spooling them, chosen by a hash of the ids (0: none).</param>
    /// <param name="holdoutSeed">The seed of that hash.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The spool; dispose it to delete its files.</returns>
    /// <exception cref="InteractionDataException">As for <see cref="ReadAsync"/>; the spool's files are deleted.</exception>
    public static async Task<InteractionSpool> SpoolAsync(string path, string directory, InteractionSourceOptions? options = null, double holdoutFraction = 0, ulong holdoutSeed = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return await SpoolAsync(path, directory, options, InteractionSpool.DefaultChunkBits, holdoutFraction, holdoutSeed, cancellationToken).ConfigureAwait(false);
    }

    // chunkBits: users a spool file (2^bits); tests use small chunks to have several.
    internal static async Task<InteractionSpool> SpoolAsync(string path, string directory, InteractionSourceOptions? options, int chunkBits, double holdoutFraction, ulong holdoutSeed, CancellationToken cancellationToken)
    {
        var spool = new InteractionSpool(directory, chunkBits, holdoutFraction, holdoutSeed);
        try
        {
            await ReadIntoAsync(path, options ?? new InteractionSourceOptions(), spool, cancellationToken).ConfigureAwait(false);
            spool.Complete();
            return spool;
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    // Reads into a dataset (returned) or into a spool (null returned).
    private static async Task<InteractionReadResult?> ReadIntoAsync(string path, InteractionSourceOptions options, InteractionSpool? spool, CancellationToken cancellationToken)
    {
        var kind = options.Kind ?? Detect(path);
        CheckVersionOptions(kind, options);
        switch (kind)
        {
            case DataSourceKind.Delimited:
                var format = options.Delimited ?? (FirstLine(path).Contains('\t', StringComparison.Ordinal) ? DelimitedFormat.MovieLensUData : DelimitedFormat.MovieLensRatings);
                return InteractionReader.Read(path, format, options.BadRows, options.Scale, options.Progress, options.ReadTimestamps && spool is null, spool);
            case DataSourceKind.Parquet:
                {
                    var store = FileStore.For(path);
                    var single = store.FileExists(path);
                    var files = single ? [store.FullPath(path)] : ParquetFiles(path);
                    if (files.Count == 0)
                    {
                        throw new FileNotFoundException($"The directory '{path}' holds no .parquet files.", path);
                    }

                    // Opened the one way files are (a foreign or truncated first file is named).
                    Parquet.Schema.ParquetSchema schema;
                    var first = await ParquetColumns.OpenAsync(files[0], cancellationToken).ConfigureAwait(false);
                    await using (first.ConfigureAwait(false))
                    {
                        schema = first.Schema;
                    }

                    // Hive partition folders (key=value) are columns too; a partition column hides a file column of its name.
                    var partitions = HivePartitions.Infer(store.FullPath(path), single ? [] : files);
                    var available = schema.Fields
                        .Where(f => !partitions.Columns.Any(p => p.Name == f.Name))
                        .Select(f => (f.Name, Kind: f is Parquet.Schema.DataField { MaxRepetitionLevel: 0 } d ? ParquetColumns.KindOf(d) : null, Type: ParquetColumns.Describe(f)))
                        .Concat(partitions.Columns.Select(p => (p.Name, p.Kind, p.Type)))
                        .ToList();
                    var roles = Roles.Resolve(options.Columns, available, files[0]).Keep(options);
                    var columns = roles.Names.Select(n => partitions.Columns.FirstOrDefault(p => p.Name == n) is { } partition
                        ? new ScanColumn(n, partition.Kind, n, null, IsPartition: true)
                        : new ScanColumn(n, null, n, null, IsPartition: false)).ToList();
                    IAsyncEnumerable<ScanBatch> Scan(ScanDestination lend) => ColumnarScan.ScanAsync(
                        files.Select(f => new ScanFile(f, partitions.ValuesOf(f), null)), columns, ColumnMatch.ByName, missingIsNull: false, cancellationToken, lend);
                    // The builder's capacity, from the footers; a spool needs none.
                    var rows = spool is null ? await CountRowsAsync(files, cancellationToken).ConfigureAwait(false) : 0;
                    return await ReadBatchesAsync(Scan, roles, options, path, version: null, (int)Math.Min(rows, Array.MaxLength), spool, cancellationToken).ConfigureAwait(false);
                }

            case DataSourceKind.Delta:
                {
                    var snapshot = DeltaTable.Open(path, options.Version, options.AsOf);
                    var fields = snapshot.Columns.Select(c => (c.Name, Kind: Internal.Delta.DeltaField.KindOf(c.Type), c.Type)).ToList();
                    var roles = Roles.Resolve(options.Columns, fields, path).Keep(options);
                    var rows = spool is null ? await snapshot.CountStoredRowsAsync(cancellationToken).ConfigureAwait(false) : 0;
                    return await ReadBatchesAsync(lend => snapshot.ScanAsync(roles.Names, cancellationToken, lend), roles, options, path, snapshot.Version, (int)Math.Min(rows, Array.MaxLength), spool, cancellationToken).ConfigureAwait(false);
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(options), kind, "Unknown source kind.");
        }
    }

    /// <summary>Describes a source without reading its interactions: kind, columns with types, rows and (Delta) version.</summary>
    /// <param name="path">A delimited file, a Parquet file or directory, or a Delta table directory.</param>
    /// <param name="options">The kind (detected when null) and, for Delta, the version or time to describe.</param>
    /// <param name="cancellationToken">Stops the count.</param>
    /// <returns>The description.</returns>
    /// <exception cref="DeltaTableException">The Delta table cannot be read at the version asked for.</exception>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    public static async Task<DataSourceDescription> DescribeAsync(string path, InteractionSourceOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new InteractionSourceOptions();
        var kind = options.Kind ?? Detect(path);
        CheckVersionOptions(kind, options);
        var full = FileStore.For(path).FullPath(path);
        switch (kind)
        {
            case DataSourceKind.Delta:
                var snapshot = DeltaTable.Open(path, options.Version, options.AsOf);
                return new DataSourceDescription(kind, full, snapshot.Columns, await snapshot.CountRowsAsync(cancellationToken).ConfigureAwait(false), snapshot.Version);
            case DataSourceKind.Parquet:
                {
                    var single = FileStore.For(path).FileExists(path);
                    var files = single ? [full] : ParquetFiles(path);
                    var partitions = HivePartitions.Infer(full, single ? [] : files);
                    long rows = 0;
                    IReadOnlyList<DataSourceColumn>? columns = null;
                    foreach (var file in files)
                    {
                        var reader = await ParquetColumns.OpenAsync(file, cancellationToken).ConfigureAwait(false);
                        await using (reader.ConfigureAwait(false))
                        {
                            columns ??= [.. reader.Schema.Fields.Where(f => !partitions.Columns.Any(p => p.Name == f.Name)).Select(f => new DataSourceColumn(f.Name, ParquetColumns.Describe(f)))];
                            rows += reader.RowGroups.Sum(g => g.RowCount);
                        }
                    }

                    return new DataSourceDescription(kind, full, [.. columns ?? [], .. partitions.Columns.Select(p => new DataSourceColumn(p.Name, p.Type, IsPartition: true))], rows, null);
                }

            default:
                return DescribeDelimited(full, options.Delimited);
        }
    }

    // The rows of Parquet files from their footers: the builder is sized once instead of doubling as it fills.
    private static async Task<long> CountRowsAsync(IEnumerable<string> files, CancellationToken cancellationToken)
    {
        long rows = 0;
        foreach (var file in files)
        {
            var reader = await ParquetColumns.OpenAsync(file, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                rows += reader.RowGroups.Sum(g => g.RowCount);
            }
        }

        return rows;
    }

    private static async Task<InteractionReadResult?> ReadBatchesAsync(Func<ScanDestination, IAsyncEnumerable<ScanBatch>> scan, Roles roles, InteractionSourceOptions options, string path, long? version, int capacity, InteractionSpool? spool, CancellationToken cancellationToken)
    {
        var reader = new InteractionBatchReader(options.BadRows, defaultValue: 1f, options.Scale, spool is null ? capacity : 0, roles.Timestamp is not null, options.Progress, spool);
        await reader.ReadAsync(scan, roles.Value is not null, roles.Timestamp is not null, cancellationToken).ConfigureAwait(false);
        var source = FileStore.For(path).FullPath(path);
        if (spool is not null)
        {
            var (read, skipped, first) = reader.Counts;
            spool.SetSource(source, version, read, skipped, first);
            return null;
        }

        return reader.Finish(source, version);
    }

    private static void CheckVersionOptions(DataSourceKind kind, InteractionSourceOptions options)
    {
        if (kind != DataSourceKind.Delta && (options.Version is not null || options.AsOf is not null))
        {
            throw new ArgumentException($"A version or a time to read as of applies to Delta tables only; this source is {kind}.", nameof(options));
        }
    }

    // Every .parquet file under a directory (Spark's partition folders included), without hidden and _-prefixed
    // entries (_SUCCESS, _delta_log, .crc files), in a stable order.
    private static List<string> ParquetFiles(string directory)
    {
        var store = FileStore.For(directory);
        var root = store.FullPath(directory);
        return [.. store.EnumerateFiles(root, recursive: true)
            .Where(f => f.EndsWith(".parquet", StringComparison.Ordinal)
                && !store.FoldersBetween(root, f).Append(store.FileName(f)).Any(p => p.StartsWith('_') || p.StartsWith('.')))
            .Order(StringComparer.Ordinal)];
    }

    private static string FirstLine(string path)
    {
        using var reader = new StreamReader(FileStore.For(path).OpenRead(path));
        return reader.ReadLine() ?? string.Empty;
    }

    private static DataSourceDescription DescribeDelimited(string path, DelimitedFormat? format)
    {
        using var reader = new StreamReader(FileStore.For(path).OpenRead(path));
        var first = reader.ReadLine() ?? string.Empty;
        var delimiter = format?.Delimiter ?? (first.Contains('\t', StringComparison.Ordinal) ? '\t' : ',');
        var names = first.Split(delimiter);
        var hasHeader = format?.HasHeader ?? !names.Any(n => double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        var sample = hasHeader ? reader.ReadLine() : first;
        var values = sample?.Split(delimiter) ?? [];
        long rows = hasHeader || first.Length == 0 ? 0 : 1;
        if (hasHeader && sample is not null && sample.Length > 0)
        {
            rows++;
        }

        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                rows++;
            }
        }

        var columns = names.Select((n, i) => new DataSourceColumn(
            hasHeader ? n.Trim() : $"column{i + 1}",
            i < values.Length ? InferType(values[i]) : "string")).ToList();
        return new DataSourceDescription(DataSourceKind.Delimited, path, columns, rows, null);
    }

    private static string InferType(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? "long"
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? "double"
        : "string";

    // The columns that play each role, resolved against what the source has, with defaults applied.
    private sealed record Roles(string User, string Item, string? Value, string? Timestamp)
    {
        // The roles to read: without the timestamp when the caller does not want timestamps.
        public Roles Keep(InteractionSourceOptions options) => options.ReadTimestamps ? this : this with { Timestamp = null };

        public IReadOnlyList<string> Names => [User, Item, .. Value is null ? Array.Empty<string>() : [Value], .. Timestamp is null ? Array.Empty<string>() : [Timestamp]];

        public static Roles Resolve(InteractionColumns wanted, IReadOnlyList<(string Name, ValueKind? Kind, string Type)> available, string source)
        {
            var defaults = new InteractionColumns();
            (string Name, ValueKind? Kind, string Type)? Find(string name) =>
                available.FirstOrDefault(c => c.Name == name) is { Name: not null } exact ? exact
                : available.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)) is { Name: not null } loose ? loose
                : null;
            string Describe() => string.Join(", ", available.Select(c => $"{c.Name} {c.Type}"));
            InteractionDataException Missing(string role, string name, string hint) =>
                new(source, 0, $"there is no {role} column named '{name}' (columns: {Describe()}){hint}");

            var user = Find(wanted.User) ?? throw Missing("user", wanted.User, "; name it with --columns user=NAME");
            var item = wanted.Item is { } itemName
                ? Find(itemName) ?? throw Missing("item", itemName, string.Empty)
                : Find("movieId") ?? Find("itemId") ?? throw Missing("item", "movieId' or 'itemId", "; name it with --columns item=NAME");
            (string Name, ValueKind? Kind, string Type)? value = wanted.Value.Length == 0 ? null
                : Find(wanted.Value) ?? throw Missing("value", wanted.Value, "; name it with --columns value=NAME, or value= for implicit feedback (every value 1)");
            (string Name, ValueKind? Kind, string Type)? timestamp = wanted.Timestamp.Length == 0 ? null
                : Find(wanted.Timestamp) ?? (wanted.Timestamp == defaults.Timestamp ? null : throw Missing("timestamp", wanted.Timestamp, string.Empty));
            foreach (var (role, column) in new[] { ("user", user), ("item", item), ("value", value), ("timestamp", timestamp) })
            {
                if (column is { Kind: null } nested)
                {
                    throw new InteractionDataException(source, 0, $"the {role} column '{nested.Name}' is {nested.Type}, which Recsys does not read");
                }
            }

            var error = InteractionBatchReader.CheckKinds(user.Kind!.Value, item.Kind!.Value, value?.Kind, timestamp?.Kind);
            return error is null
                ? new Roles(user.Name, item.Name, value?.Name, timestamp?.Name)
                : throw new InteractionDataException(source, 0, error);
        }
    }
}
