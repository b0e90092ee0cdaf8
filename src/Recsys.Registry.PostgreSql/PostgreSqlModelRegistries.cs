using Npgsql;
using Recsys.Registry.Internal;

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
        options ??= new PostgreSqlRegistryOptions();
        var (dataSource, schema) = PostgreSqlDataSources.Build(connectionString, options.Schema, "recsys-registry");
        return Create(dataSource, ownsDataSource: true, schema, options);
    }

    /// <summary>
    /// Opens the registry on an existing data source (for example one registered in dependency injection). The
    /// data source is not disposed with the registry, and <see cref="PostgreSqlRegistryOptions.Schema"/> must be
    /// <see langword="null"/>: the tables live in the first schema of the data source's search path.
    /// </summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The registry.</returns>
    public static IModelRegistry FromDataSource(NpgsqlDataSource dataSource, PostgreSqlRegistryOptions? options = null)
    {
        options ??= new PostgreSqlRegistryOptions();
        return Create(dataSource, ownsDataSource: false, PostgreSqlDataSources.SchemaOf(dataSource, options), options);
    }

    internal static PostgreSqlModelRegistry Create(NpgsqlDataSource dataSource, bool ownsDataSource, string? schema, PostgreSqlRegistryOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FallbackPollInterval, TimeSpan.Zero, nameof(options));
        return new PostgreSqlModelRegistry(dataSource, ownsDataSource, schema, options.TimeProvider ?? TimeProvider.System, options.FallbackPollInterval, options.Artifacts);
    }
}
