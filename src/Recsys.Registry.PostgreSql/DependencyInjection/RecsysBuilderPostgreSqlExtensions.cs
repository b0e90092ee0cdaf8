using Npgsql;
using Recsys.Registry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the PostgreSQL backend on the Recsys builder.</summary>
public static class RecsysBuilderPostgreSqlExtensions
{
    /// <summary>
    /// Uses the PostgreSQL backend (see <see cref="PostgreSqlBackend.Open"/>): the registry, run store and interaction
    /// store on one connection pool, owned and disposed by the container. Several replicas and workers share them;
    /// promotions reach every replica through LISTEN/NOTIFY.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string; the first schema of its search path holds the tables.</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder UsePostgreSql(this IRecsysBuilder builder, string connectionString) => builder.UsePostgreSql(connectionString, _ => { });

    /// <summary>Uses the PostgreSQL backend (see <see cref="UsePostgreSql(IRecsysBuilder, string)"/>) with options.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="configure">Configures the options (schema, change-feed poll interval).</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder UsePostgreSql(this IRecsysBuilder builder, string connectionString, Action<PostgreSqlRegistryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.UseBackend(sp => PostgreSqlBackend.Open(connectionString, Options(sp, configure)));
    }

    /// <summary>
    /// Uses the PostgreSQL backend on a data source the host owns (for example one added with Npgsql's
    /// <c>AddNpgsqlDataSource</c>); the container disposes the backend, the host the data source.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">Resolves the data source (its search path names the schema).</param>
    /// <returns>The builder.</returns>
    public static IRecsysBuilder UsePostgreSql(this IRecsysBuilder builder, Func<IServiceProvider, NpgsqlDataSource> dataSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        return builder.UseBackend(sp => PostgreSqlBackend.FromDataSource(dataSource(sp), Options(sp, null)));
    }

    private static PostgreSqlRegistryOptions Options(IServiceProvider services, Action<PostgreSqlRegistryOptions>? configure)
    {
        var options = new PostgreSqlRegistryOptions { TimeProvider = services.GetService<TimeProvider>() };
        configure?.Invoke(options);
        return options;
    }
}
