using Npgsql;
using Recsys.Data;

namespace Recsys.Registry;

/// <summary>Opens the PostgreSQL interaction store.</summary>
internal static class PostgreSqlInteractionStores
{
    /// <summary>
    /// Opens the interaction store on a PostgreSQL database (table <c>interactions</c> in the first schema of the
    /// connection string's search path, created on first use). Dispose it at shutdown.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <returns>The store.</returns>
    public static IInteractionStore Open(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return new PostgreSqlInteractionStore(NpgsqlDataSource.Create(connectionString), ownsDataSource: true);
    }
}
