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
        return new DelegateSource($"file {path}", async ct =>
            (await InteractionSource.ReadAsync(path, new InteractionSourceOptions { Kind = DataSourceKind.Delimited }, ct).ConfigureAwait(false)).Dataset);
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

        return new DelegateSource($"{(kind ?? DataSourceKind.Delimited) switch { DataSourceKind.Parquet => "parquet", _ => "file" }} {path}", async ct =>
            (await InteractionSource.ReadAsync(path, options, ct).ConfigureAwait(false)).Dataset);
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
    /// top of a base source if given. A stored interaction replaces a base one of the same user and item.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="baseSource">The history before the store, or null.</param>
    /// <returns>The source.</returns>
    public static IInteractionSource Store(IInteractionStore store, IInteractionSource? baseSource = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Func<CancellationToken, Task<InteractionDataset>> load = async ct =>
        {
            var builder = new InteractionDatasetBuilder();
            if (baseSource is not null)
            {
                foreach (var interaction in (await baseSource.LoadAsync(ct).ConfigureAwait(false)).EnumerateInteractions())
                {
                    builder.Add(interaction.UserId, interaction.ItemId, interaction.Value, interaction.Timestamp);
                }
            }

            await foreach (var interaction in store.ReadAllAsync(ct).ConfigureAwait(false))
            {
                // Later than anything in the base on a tie-break by timestamp: the builder keeps the latest.
                builder.Add(interaction.UserId, interaction.ItemId, interaction.Value, interaction.Timestamp);
            }

            return builder.Build();
        };
        return baseSource is IVersionedInteractionSource versioned
            ? new VersionedStoreSource(versioned, load)
            : new DelegateSource(baseSource is null ? "interaction store" : $"{baseSource.Description} + interaction store", load);
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

    private sealed class DeltaSource(string path, InteractionSourceOptions options) : IVersionedInteractionSource
    {
        private readonly string _path = Path.GetFullPath(path);

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
    }

    // The store on top of a versioned base: still versioned, so the lineage and the volume trigger see the base.
    private sealed class VersionedStoreSource(IVersionedInteractionSource baseSource, Func<CancellationToken, Task<InteractionDataset>> load) : IVersionedInteractionSource
    {
        public string Description => $"{baseSource.Description} + interaction store";

        public long? LoadedVersion => baseSource.LoadedVersion;

        public Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken) => load(cancellationToken);

        public Task<long> CountAddedRowsAsync(CancellationToken cancellationToken) => baseSource.CountAddedRowsAsync(cancellationToken);
    }
}
