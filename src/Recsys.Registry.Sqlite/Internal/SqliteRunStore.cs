using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Recsys.Registry;

/// <summary>
/// Runs in the SQLite registry database. The model lock is a row (model, run, host, process id and start time,
/// heartbeat): it is free when absent, when its process on this host is gone, or when another host's heartbeat is
/// older than 30 s.
/// </summary>
internal sealed class SqliteRunStore(string connectionString, TimeProvider time) : SqlRunStore(time)
{
    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    protected override string CreateSql =>
        """
        CREATE TABLE IF NOT EXISTS runs (
            id TEXT PRIMARY KEY, model TEXT NOT NULL, trigger_name TEXT NOT NULL, state TEXT NOT NULL, owner TEXT NOT NULL,
            started_at TEXT NOT NULL, finished_at TEXT, error TEXT, decision TEXT, interaction_count INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS runs_model ON runs(model, started_at);
        CREATE TABLE IF NOT EXISTS run_steps (
            run_id TEXT NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, started_at TEXT NOT NULL,
            finished_at TEXT, error TEXT, detail TEXT, PRIMARY KEY (run_id, name));
        CREATE TABLE IF NOT EXISTS run_locks (
            model TEXT PRIMARY KEY, run_id TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, process_started TEXT NOT NULL, heartbeat_at TEXT NOT NULL);
        """;

    public override async Task<IAsyncDisposable?> TryLockModelAsync(string modelName, string runId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var read = Command(connection, transaction, "SELECT host, pid, process_started, heartbeat_at FROM run_locks WHERE model = @model", ("@model", modelName)))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                && IsAlive(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture)))
            {
                return null;
            }
        }

        using var self = Process.GetCurrentProcess();
        await using (var upsert = Command(
            connection,
            transaction,
            """
            INSERT INTO run_locks (model, run_id, host, pid, process_started, heartbeat_at) VALUES (@model, @run, @host, @pid, @started, @now)
            ON CONFLICT (model) DO UPDATE SET run_id = excluded.run_id, host = excluded.host, pid = excluded.pid,
                process_started = excluded.process_started, heartbeat_at = excluded.heartbeat_at
            """,
            ("@model", modelName),
            ("@run", runId),
            ("@host", Environment.MachineName),
            ("@pid", Environment.ProcessId),
            ("@started", ProcessStamp(self)),
            ("@now", TimeValue(Time.GetUtcNow()))))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await AbandonOthersAsync(connection, transaction, modelName, runId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new LockRow(this, modelName, runId);
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    protected override object TimeValue(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    private static string ProcessStamp(Process process) => process.StartTime.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);

    private bool IsAlive(string host, int pid, string processStarted, DateTimeOffset heartbeat)
    {
        if (!string.Equals(host, Environment.MachineName, StringComparison.Ordinal))
        {
            return Time.GetUtcNow() - heartbeat < StaleAfter;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && ProcessStamp(process) == processStarted;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private sealed class LockRow : IAsyncDisposable
    {
        private readonly SqliteRunStore _store;
        private readonly string _model;
        private readonly string _run;
        private readonly ITimer _heartbeat;

        public LockRow(SqliteRunStore store, string model, string run)
        {
            _store = store;
            _model = model;
            _run = run;
            _heartbeat = store.Time.CreateTimer(_ => Beat(), null, HeartbeatEvery, HeartbeatEvery);
        }

        public async ValueTask DisposeAsync()
        {
            await _heartbeat.DisposeAsync().ConfigureAwait(false);
            await using var connection = await _store.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using var delete = Command(connection, null, "DELETE FROM run_locks WHERE model = @model AND run_id = @run", ("@model", _model), ("@run", _run));
            await delete.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }

        private void Beat()
        {
            try
            {
                using var connection = new SqliteConnection(_store.ConnectionString);
                connection.Open();
                using var update = Command(connection, null, "UPDATE run_locks SET heartbeat_at = @now WHERE model = @model AND run_id = @run", ("@now", _store.TimeValue(_store.Time.GetUtcNow())), ("@model", _model), ("@run", _run));
                update.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // A missed beat only matters to workers on other hosts, after 30 s; the next beat retries.
            }
        }
    }

    private string ConnectionString => connectionString;
}
