using Npgsql;

namespace Recsys.Registry.Internal;

/// <summary>
/// The one way the PostgreSQL backend builds a data source from a connection string and finds the schema of a data
/// source it is given, so the backend and the registry opened alone treat the schema alike.
/// </summary>
internal static class PostgreSqlDataSources
{
    /// <summary>
    /// Builds a data source (one connection pool) whose search path is <paramref name="schema"/> when given, else the
    /// connection string's; returns it with the schema the tables live in (<see langword="null"/>: the server's default).
    /// </summary>
    public static (NpgsqlDataSource DataSource, string? Schema) Build(string connectionString, string? schema, string applicationName)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        schema ??= FirstOf(builder.ConnectionStringBuilder.SearchPath);
        if (schema is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(schema, nameof(schema));
            builder.ConnectionStringBuilder.SearchPath = schema;
        }

        builder.ConnectionStringBuilder.ApplicationName ??= applicationName;
        return (builder.Build(), schema);
    }

    /// <summary>
    /// The schema of a data source the host built: the first of its search path. A schema option cannot apply to it
    /// (its connections are the host's), so one given is refused with the fix.
    /// </summary>
    public static string? SchemaOf(NpgsqlDataSource dataSource, PostgreSqlRegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (options.Schema is not null)
        {
            throw new ArgumentException("Set the schema through the data source's search path when passing a data source.", nameof(options));
        }

        return FirstOf(new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).SearchPath);
    }

    private static string? FirstOf(string? searchPath) =>
        searchPath?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
}
