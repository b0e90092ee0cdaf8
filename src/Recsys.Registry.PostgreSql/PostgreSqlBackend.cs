using Npgsql;
using Recsys.Registry.Internal;

namespace Recsys.Registry;

/// <summary>
/// Opens the PostgreSQL backend: the registry, the run store and the interaction store on one
/// <see cref="NpgsqlDataSource"/> (one connection pool), for several serving replicas and workers sharing them.
/// </summary>
public static class PostgreSqlBackend
{
    /// <summary>
    /// Opens the backend on a PostgreSQL database: one data source built from <paramref name="connectionString"/>,
    /// owned by the backend and disposed with it. Tables are created or migrated on first use in the schema of
    /// <see cref="PostgreSqlRegistryOptions.Schema"/>, else the first schema of the connection string's search path.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db;Username=recsys;Password=…;Database=recsys</c>.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The backend.</returns>
    public static IRecsysBackend Open(string connectionString, PostgreSqlRegistryOptions? options = null)
    {
        options ??= new PostgreSqlRegistryOptions();
        var (dataSource, schema) = PostgreSqlDataSources.Build(connectionString, options.Schema, "recsys");
        return Create(dataSource, ownsDataSource: true, schema, options);
    }

    /// <summary>
    /// Opens the backend on an existing data source (for example one registered in dependency injection). The data
    /// source is not disposed with the backend; set the schema through its search path.
    /// </summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="options">The options (<see cref="PostgreSqlRegistryOptions.Schema"/> must be <see langword="null"/>); <see langword="null"/> for the defaults.</param>
    /// <returns>The backend.</returns>
    public static IRecsysBackend FromDataSource(NpgsqlDataSource dataSource, PostgreSqlRegistryOptions? options = null)
    {
        options ??= new PostgreSqlRegistryOptions();
        return Create(dataSource, ownsDataSource: false, PostgreSqlDataSources.SchemaOf(dataSource, options), options);
    }

    private static RecsysBackend Create(NpgsqlDataSource dataSource, bool ownsDataSource, string? schema, PostgreSqlRegistryOptions options)
    {
        var time = options.TimeProvider ?? TimeProvider.System;
        return new RecsysBackend(
            PostgreSqlModelRegistries.Create(dataSource, ownsDataSource: false, schema, options),
            new PostgreSqlRunStore(dataSource, ownsDataSource: false, schema, time),
            new PostgreSqlInteractionStore(dataSource, ownsDataSource: false),
            ownsDataSource ? dataSource : null);
    }
}
