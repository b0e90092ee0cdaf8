using Recsys.Data;

namespace Recsys.Retraining;

/// <summary>The built-in sources.</summary>
public static class InteractionSources
{
    /// <summary>A ratings file: MovieLens <c>ratings.csv</c>, or <c>u.data</c> when the first line has tabs. Bad rows fail the load.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The source.</returns>
    public static IInteractionSource File(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // The auto-detection of InteractionSource (u.data when the first line has tabs, else ratings.csv), failing on bad rows.
        return new PathSource($"file {path}", path, new InteractionSourceOptions { Kind = DataSourceKind.Delimited });
    }

    /// <summary>
    /// Any source <see cref="InteractionSource"/> reads: a ratings file, a Parquet file or folder, or a Delta table
    /// (detected unless <see cref="InteractionSourceOptions.Kind"/> says). A Delta table's source records the version
    /// each load read (for the lineage) and counts the rows its versions added (for the data-volume trigger).
    /// </summary>
    /// <param name="path">The file or directory.</param>
    /// <param name="options">Columns, format, bad-row policy, and (Delta) a fixed version; null for the defaults.</param>
    /// <returns>The source.</returns>
    public static IInteractionSource FromPath(string path, InteractionSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new InteractionSourceOptions();
        var kind = options.Kind ?? (DeltaTable.IsDeltaTable(path) ? DataSourceKind.Delta : (DataSourceKind?)null);
        if (kind == DataSourceKind.Delta)
        {
            return new DeltaSource(path, options);
        }

        return new PathSource($"{(kind ?? DataSourceKind.Delimited) switch { DataSourceKind.Parquet => "parquet", _ => "file" }} {path}", path, options);
    }

    /// <summary>The built-in synthetic data set.</summary>
    /// <param name="options">Its size and seed.</param>
    /// <returns>The source.</returns>
    public static IInteractionSource Synthetic(SyntheticDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new DelegateSource($"synthetic data (seed {options.Seed})", ct => Task.FromResult(new SyntheticDataGenerator(options).GenerateDataset(ct)));
    }

    /// <summary>
    /// Everything in an interaction store (what <c>POST /interactions</c> filled; SQLite or a PostgreSQL table), on
    /// top of a base source if given. A stored interaction replaces a base one of the same user and item. Stored rows
    /// are checked as a file's rows are: a rating outside <paramref name="scale"/> (or not finite), an empty id or a
    /// negative timestamp is a bad row, named by its position in the store (<c>interaction store, row 17 (user 'u', item
    /// 'i'): the rating 1E+10 is outside the scale 0.5 to 5</c>), and fails the load or is skipped and counted as
    /// <paramref name="badRows"/> says. The failure is an <see cref="InteractionDataException"/>, which the flow does not
    /// retry.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="baseSource">The history before the store, or null.</param>
    /// <param name="scale">
    /// The rating scale stored rows must lie on; <see langword="null"/> uses the base data's own scale (its lowest to its
    /// highest value, when they differ), else only finite values are required.
    /// </param>
    /// <param name="badRows">Whether a bad stored row fails the load (the default, as for files) or is skipped and counted.</param>
    /// <returns>The source.</returns>
    public static IInteractionSource Store(IInteractionStore store, IInteractionSource? baseSource = null, RatingScale? scale = null, BadRowPolicy badRows = BadRowPolicy.Fail)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!Enum.IsDefined(badRows))
        {
            throw new ArgumentOutOfRangeException(nameof(badRows), badRows, "The bad-row policy is Fail or Skip.");
        }

        var source = new StoreSource(store, baseSource, scale, badRows);
        return baseSource is IVersionedInteractionSource versioned ? new VersionedStoreSource(source, versioned) : source;
    }

    /// <summary>A source from a delegate (tests, custom stores).</summary>
    /// <param name="description">The description.</param>
    /// <param name="load">Loads the data.</param>
    /// <returns>The source.</returns>
    public static IInteractionSource FromDelegate(string description, Func<CancellationToken, Task<InteractionDataset>> load) => new DelegateSource(description, load);

    private sealed class DelegateSource(string description, Func<CancellationToken, Task<InteractionDataset>> load) : IInteractionSource
    {
        public string Description { get; } = description;

        public Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken) => load(cancellationToken);
    }

    // A file or folder InteractionSource reads, in memory or to disk.
    private sealed class PathSource(string description, string path, InteractionSourceOptions options) : ISpoolingInteractionSource
    {
        public string Description { get; } = description;

        public async Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken) =>
            (await InteractionSource.ReadAsync(path, options, cancellationToken).ConfigureAwait(false)).Dataset;

        public async Task<long> CountRowsAsync(CancellationToken cancellationToken) =>
            (await InteractionSource.DescribeAsync(path, options, cancellationToken).ConfigureAwait(false)).Rows;

        public Task<InteractionSpool> SpoolAsync(string directory, double holdoutFraction, ulong holdoutSeed, CancellationToken cancellationToken) =>
            InteractionSource.SpoolAsync(path, directory, options, holdoutFraction, holdoutSeed, cancellationToken);
    }

    private sealed class DeltaSource(string path, InteractionSourceOptions options) : IVersionedInteractionSource, ISpoolingInteractionSource
    {
        private readonly string _path = path.Contains("://", StringComparison.Ordinal) ? path.TrimEnd('/') : Path.GetFullPath(path);

        public string Description => LoadedVersion is { } version
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"delta table {_path} @ version {version}")
            : $"delta table {_path}";

        public long? LoadedVersion { get; private set; }

        public async Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken)
        {
            var read = await InteractionSource.ReadAsync(_path, options, cancellationToken).ConfigureAwait(false);
            LoadedVersion = read.SourceVersion;
            return read.Dataset;
        }

        public Task<long> CountAddedRowsAsync(CancellationToken cancellationToken) =>
            Task.Run(() => DeltaTable.CountAddedRows(_path), cancellationToken);

        public async Task<long> CountRowsAsync(CancellationToken cancellationToken) =>
            (await InteractionSource.DescribeAsync(_path, options, cancellationToken).ConfigureAwait(false)).Rows;

        public async Task<InteractionSpool> SpoolAsync(string directory, double holdoutFraction, ulong holdoutSeed, CancellationToken cancellationToken)
        {
            var spool = await InteractionSource.SpoolAsync(_path, directory, options, holdoutFraction, holdoutSeed, cancellationToken).ConfigureAwait(false);
            LoadedVersion = spool.SourceVersion;
            return spool;
        }
    }

    private sealed class StoreSource(IInteractionStore store, IInteractionSource? baseSource, RatingScale? scale, BadRowPolicy badRows) : IInteractionSource
    {
        private long _skipped;
        private string? _firstSkipped;

        public string Description
        {
            get
            {
                var text = baseSource is null ? "interaction store" : $"{baseSource.Description} + interaction store";
                return Interlocked.Read(ref _skipped) is > 0 and var skipped
                    ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{text} ({skipped:N0} bad stored rows skipped, the first: {_firstSkipped})")
                    : text;
            }
        }

        public async Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken)
        {
            var builder = new InteractionDatasetBuilder();
            var range = scale;
            if (baseSource is not null)
            {
                var data = await baseSource.LoadAsync(cancellationToken).ConfigureAwait(false);
                foreach (var interaction in data.EnumerateInteractions())
                {
                    builder.Add(interaction.UserId, interaction.ItemId, interaction.Value, interaction.Timestamp);
                }

                if (range is null && data.Count > 0 && data.MinValue < data.MaxValue)
                {
                    range = new RatingScale(data.MinValue, data.MaxValue);
                }
            }

            long row = 0, skipped = 0;
            string? first = null;
            await foreach (var interaction in store.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                row++;
                if (Problem(interaction, range) is { } problem)
                {
                    var where = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"row {row} (user '{interaction.UserId}', item '{interaction.ItemId}')");
                    if (badRows == BadRowPolicy.Fail)
                    {
                        throw new InteractionDataException($"interaction store, {where}: {problem}{(scale is null && range is not null ? " (the base data's scale; set the rating scale to accept others)" : "")}. Delete or correct the row, or skip bad rows.");
                    }

                    skipped++;
                    first ??= $"{where}: {problem}";
                    continue;
                }

                // Later than anything in the base on a tie-break by timestamp: the builder keeps the latest.
                builder.Add(interaction.UserId, interaction.ItemId, interaction.Value, interaction.Timestamp);
            }

            _firstSkipped = first;
            Interlocked.Exchange(ref _skipped, skipped);
            return builder.Build();
        }

        private static string? Problem(Interaction interaction, RatingScale? range)
        {
            if (string.IsNullOrEmpty(interaction.UserId))
            {
                return "the user id is empty";
            }

            if (string.IsNullOrEmpty(interaction.ItemId))
            {
                return "the item id is empty";
            }

            if (!float.IsFinite(interaction.Value))
            {
                return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the rating {interaction.Value} is not a finite number");
            }

            if (range is not null && !range.Contains(interaction.Value))
            {
                return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the rating {interaction.Value} is outside the scale {range}");
            }

            return interaction.Timestamp < 0
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the timestamp {interaction.Timestamp} is negative")
                : null;
        }
    }

    // The store on top of a versioned base: still versioned, so the lineage and the volume trigger see the base.
    private sealed class VersionedStoreSource(StoreSource store, IVersionedInteractionSource baseSource) : IVersionedInteractionSource
    {
        public string Description => store.Description;

        public long? LoadedVersion => baseSource.LoadedVersion;

        public Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken) => store.LoadAsync(cancellationToken);

        public Task<long> CountAddedRowsAsync(CancellationToken cancellationToken) => baseSource.CountAddedRowsAsync(cancellationToken);
    }
}
