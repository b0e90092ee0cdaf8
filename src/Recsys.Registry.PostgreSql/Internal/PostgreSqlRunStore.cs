using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Recsys.Registry;

/// <summary>
/// Runs in the PostgreSQL registry database. The model lock is a session advisory lock held on a dedicated
/// connection for the run: the server releases it when that connection ends, including when the worker is killed.
/// </summary>
internal sealed class PostgreSqlRunStore(NpgsqlDataSource dataSource, bool ownsDataSource, string? schema, TimeProvider time) : SqlRunStore(time)
{
    // One batch is one implicit transaction: the DDL lock is held until the tables exist.
    protected override string CreateSql =>
        PostgreSqlModelRegistry.DdlPrelude(schema) +
        """
        CREATE TABLE IF NOT EXISTS runs (
            id text PRIMARY KEY, model text NOT NULL, trigger_name text NOT NULL, state text NOT NULL, owner text NOT NULL,
            started_at timestamptz NOT NULL, finished_at timestamptz, error text, decision text, interaction_count bigint NOT NULL);
        CREATE INDEX IF NOT EXISTS runs_model ON runs(model, started_at);
        CREATE TABLE IF NOT EXISTS run_steps (
            run_id text NOT NULL, name text NOT NULL, state text NOT NULL, attempts integer NOT NULL, started_at timestamptz NOT NULL,
            finished_at timestamptz, error text, detail text, PRIMARY KEY (run_id, name));
        """;

    public override ValueTask DisposeAsync() => ownsDataSource ? dataSource.DisposeAsync() : ValueTask.CompletedTask;

    public override async Task<IAsyncDisposable?> TryLockModelAsync(string modelName, string runId, CancellationToken cancellationToken)
    {
        var key = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"recsys.run/{schema}/{modelName}")), 0);
        var connection = (NpgsqlConnection)await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using (var take = Command(connection, null, "SELECT pg_try_advisory_lock(@key)", ("@key", key)))
            {
                if (!(bool)(await take.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    return null;
                }
            }

            await AbandonOthersAsync(connection, null, modelName, runId, cancellationToken).ConfigureAwait(false);
            return new AdvisoryLock(connection, key);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private sealed class AdvisoryLock(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var release = Command(connection, null, "SELECT pg_advisory_unlock(@key)", ("@key", key));
                await release.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                // Closing returns the connection to the pool; a broken connection's lock died with its session.
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
