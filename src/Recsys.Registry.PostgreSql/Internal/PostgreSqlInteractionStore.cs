using System.Data.Common;
using Npgsql;

namespace Recsys.Registry;

/// <summary>The interaction store in a PostgreSQL table.</summary>
/// <remarks>Created by <see cref="PostgreSqlBackend"/> on the backend's data source, which it then does not own.</remarks>
internal sealed class PostgreSqlInteractionStore(NpgsqlDataSource dataSource, bool ownsDataSource) : SqlInteractionStore, IDisposable
{
    // One batch is one implicit transaction: the DDL lock is held until the table exists.
    protected override string CreateSql =>
        PostgreSqlModelRegistry.DdlLock +
        """
        CREATE TABLE IF NOT EXISTS interactions (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id text NOT NULL, item_id text NOT NULL, value double precision NOT NULL, timestamp bigint NOT NULL);
        CREATE INDEX IF NOT EXISTS interactions_user ON interactions(user_id, id);
        ALTER TABLE interactions ADD COLUMN IF NOT EXISTS kind text;
        """;

    public override ValueTask DisposeAsync() => ownsDataSource ? dataSource.DisposeAsync() : ValueTask.CompletedTask;

    public void Dispose()
    {
        if (ownsDataSource)
        {
            dataSource.Dispose();
        }
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
}
