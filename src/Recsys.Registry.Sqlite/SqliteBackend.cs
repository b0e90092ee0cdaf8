using Microsoft.Data.Sqlite;
using Recsys.Registry.Internal;

namespace Recsys.Registry;

/// <summary>Opens the embedded backend: registry, run store and interaction store in one directory.</summary>
public static class SqliteBackend
{
    /// <summary>
    /// Opens (creating as needed) the embedded backend in <paramref name="directory"/>: <c>registry.db</c> (models,
    /// versions, stages, aliases, history, runs), <c>artifacts/</c> (content-addressed model files) and
    /// <c>interactions.db</c>. Dispose it at shutdown.
    /// </summary>
    /// <param name="directory">The directory.</param>
    /// <param name="timeProvider">The clock of timestamps; <see langword="null"/> for the system clock.</param>
    /// <returns>The backend.</returns>
    public static IRecsysBackend Open(string directory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var path = Path.GetFullPath(directory);
        return new RecsysBackend(
            ModelRegistries.OpenSqlite(path, timeProvider),
            ModelRegistries.OpenSqliteRunStore(path, timeProvider),
            InteractionStores.OpenSqlite(path),
            shared: null);
    }

    /// <summary>
    /// Creates a backend in memory (nothing is written to disk; everything is lost when it is disposed): for tests
    /// and experiments.
    /// </summary>
    /// <param name="timeProvider">The clock of timestamps; <see langword="null"/> for the system clock.</param>
    /// <returns>The backend.</returns>
    public static IRecsysBackend CreateInMemory(TimeProvider? timeProvider = null)
    {
        var connectionString = ModelRegistries.InMemoryConnectionString();
        var keepAlive = new SqliteConnection(connectionString);
        keepAlive.Open();
        return new RecsysBackend(
            new SqliteModelRegistry(connectionString, new MemoryArtifactStore(), timeProvider ?? TimeProvider.System, TimeSpan.FromMilliseconds(50), keepAlive: false),
            new SqliteRunStore(connectionString, timeProvider ?? TimeProvider.System),
            new SqliteInteractionStore(connectionString),
            keepAlive);
    }
}
