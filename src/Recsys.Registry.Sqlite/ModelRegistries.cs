using Microsoft.Data.Sqlite;

namespace Recsys.Registry;

/// <summary>Opens the built-in registry backends.</summary>
public static class ModelRegistries
{
    /// <summary>
    /// Opens (creating and migrating as needed) the embedded registry in a directory: <c>registry.db</c>, a SQLite
    /// database, and <c>artifacts/</c>, the content-addressed model files.
    /// </summary>
    /// <param name="directory">The registry directory.</param>
    /// <param name="timeProvider">The clock of timestamps and of the change feed's polling; <see langword="null"/> for the system clock.</param>
    /// <param name="pollInterval">How often <see cref="IModelRegistry.WatchAsync"/> looks for changes; default 500 ms.</param>
    /// <returns>The registry.</returns>
    public static IModelRegistry OpenSqlite(string directory, TimeProvider? timeProvider = null, TimeSpan? pollInterval = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        return new SqliteModelRegistry(SqliteConnectionString(directory), new FileArtifactStore(Path.Combine(directory, "artifacts")), timeProvider ?? TimeProvider.System, pollInterval ?? TimeSpan.FromMilliseconds(500), keepAlive: false);
    }

    /// <summary>
    /// Opens the retraining run history and run locks of the embedded registry in <paramref name="directory"/> (tables in
    /// its <c>registry.db</c>).
    /// </summary>
    /// <param name="directory">The registry directory.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system clock.</param>
    /// <returns>The run store.</returns>
    internal static Recsys.Runs.IRunStore OpenSqliteRunStore(string directory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        return new SqliteRunStore(SqliteConnectionString(directory), timeProvider ?? TimeProvider.System);
    }

    /// <summary>
    /// Creates a registry that lives in process memory, for tests: the same SQL and transactions as the embedded
    /// registry on an in-memory SQLite database, with artifacts in memory. Dispose it (it is <see cref="IDisposable"/>) to free it.
    /// </summary>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system clock.</param>
    /// <param name="pollInterval">How often <see cref="IModelRegistry.WatchAsync"/> looks for changes; default 50 ms.</param>
    /// <returns>The registry.</returns>
    public static IModelRegistry CreateInMemory(TimeProvider? timeProvider = null, TimeSpan? pollInterval = null)
    {
        return new SqliteModelRegistry(InMemoryConnectionString(), new MemoryArtifactStore(), timeProvider ?? TimeProvider.System, pollInterval ?? TimeSpan.FromMilliseconds(50), keepAlive: true);
    }

    /// <summary>A new private in-memory SQLite database, shared by the connections that name it (alive while one is open).</summary>
    internal static string InMemoryConnectionString() => new SqliteConnectionStringBuilder
    {
        DataSource = $"recsys-registry-{Guid.NewGuid():N}",
        Mode = SqliteOpenMode.Memory,
        Cache = SqliteCacheMode.Shared,
        DefaultTimeout = 60,
    }.ToString();

    private static string SqliteConnectionString(string directory) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(directory, "registry.db"),
        Mode = SqliteOpenMode.ReadWriteCreate,
        DefaultTimeout = 60,
        Pooling = true,
    }.ToString();
}
