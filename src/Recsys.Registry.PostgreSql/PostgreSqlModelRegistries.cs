using Npgsql;

namespace Recsys.Registry;

/// <summary>Opens the PostgreSQL registry backend.</summary>
public static class PostgreSqlModelRegistries
{
    /// <summary>
    /// Opens the registry on a PostgreSQL database. The schema is created or migrated on first use; the returned
    /// registry owns its connection pool: dispose it (it is <see cref="IAsyncDisposable"/>) at shutdown.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db;Username=recsys;Password=…;Database=recsys</c>.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The registry.</returns>
    public static IModelRegistry Open(string connectionString, PostgreSqlRegistryOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        options ??= new PostgreSqlRegistryOptions();
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var schema = options.Schema ?? FirstOf(builder.ConnectionStringBuilder.SearchPath);
        if (schema is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(schema, nameof(options));
            builder.ConnectionStringBuilder.SearchPath = schema;
        }

        builder.ConnectionStringBuilder.ApplicationName ??= "recsys-registry";
        return Create(builder.Build(), ownsDataSource: true, schema, options);
    }

    /// <summary>
    /// Opens the registry on an existing data source (for example one registered in dependency injection). The
    /// data source is not disposed with the registry, and <see cref="PostgreSqlRegistryOptions.Schema"/> must be
    /// <see langword="null"/>: set the search path on the data source instead.
    /// </summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The registry.</returns>
    public static IModelRegistry FromDataSource(NpgsqlDataSource dataSource, PostgreSqlRegistryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        options ??= new PostgreSqlRegistryOptions();
        if (options.Schema is not null)
        {
            throw new ArgumentException("Set the schema through the data source's search path when passing a data source.", nameof(options));
        }

        return Create(dataSource, ownsDataSource: false, null, options);
    }

    /// <summary>
    /// Opens the retraining run history (tables <c>runs</c>, <c>run_steps</c>) and the per-model run lock (a session
    /// advisory lock) on a PostgreSQL database. Dispose it at shutdown.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string; the first schema of its search path holds the tables.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system clock.</param>
    /// <returns>The run store.</returns>
    internal static Recsys.Runs.IRunStore OpenRunStore(string connectionString, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var schema = FirstOf(builder.ConnectionStringBuilder.SearchPath);
        builder.ConnectionStringBuilder.ApplicationName ??= "recsys-runs";
        return new PostgreSqlRunStore(builder.Build(), ownsDataSource: true, schema, timeProvider ?? TimeProvider.System);
    }

    internal static string? FirstOf(string? searchPath) =>
        searchPath?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();

    internal static PostgreSqlModelRegistry Create(NpgsqlDataSource dataSource, bool ownsDataSource, string? schema, PostgreSqlRegistryOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FallbackPollInterval, TimeSpan.Zero, nameof(options));
        return new PostgreSqlModelRegistry(dataSource, ownsDataSource, schema, options.TimeProvider ?? TimeProvider.System, options.FallbackPollInterval);
    }
}
