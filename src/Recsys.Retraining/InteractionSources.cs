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
        return new DelegateSource($"file {path}", _ =>
        {
            using var reader = new StreamReader(path);
            var format = (reader.ReadLine() ?? "").Contains('\t', StringComparison.Ordinal) ? DelimitedFormat.MovieLensUData : DelimitedFormat.MovieLensRatings;
            return Task.FromResult(InteractionReader.Read(path, format, BadRowPolicy.Fail).Dataset);
        });
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
        return new DelegateSource(baseSource is null ? "interaction store" : $"{baseSource.Description} + interaction store", async ct =>
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
        });
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
}
