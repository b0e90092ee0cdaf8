using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Recsys.Registry;

/// <summary>
/// The registry on PostgreSQL. Writes are serialized by a transaction-scoped advisory lock per schema (so version
/// numbers are unique and history is committed in sequence order across machines); artifacts live in the
/// <c>artifacts</c> table, so replicas need no shared disk; the change feed wakes on <c>LISTEN/NOTIFY</c>.
/// </summary>
internal sealed class PostgreSqlModelRegistry : SqlModelRegistry, IDisposable, IAsyncDisposable
{
    /// <summary>The notification channel; the payload is the schema and the history sequence.</summary>
    internal const string Channel = "recsys_registry";

    /// <summary>
    /// Every Recsys schema change (registry, run store, interaction store) takes this transaction advisory lock first,
    /// so processes that start together never race on CREATE SCHEMA / CREATE TABLE IF NOT EXISTS.
    /// </summary>
    internal const string DdlLock = "SELECT pg_advisory_xact_lock(7305721406598113723);";

    /// <summary>The DDL lock, then the schema's creation when there is one: the start of every Recsys schema script.</summary>
    internal static string DdlPrelude(string? schema) =>
        DdlLock + (schema is null ? "" : $"CREATE SCHEMA IF NOT EXISTS \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\";\n");

    private static readonly string[] SchemaMigrations =
    [
        """
        CREATE TABLE models (
            name text PRIMARY KEY, description text, tags text NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
        CREATE TABLE versions (
            model text NOT NULL REFERENCES models(name), version integer NOT NULL, status text NOT NULL, stage text NOT NULL,
            trainer text NOT NULL, parameters text NOT NULL, metrics text NOT NULL, lineage text, signature text,
            tags text NOT NULL, description text, artifact_sha256 text NOT NULL, artifact_size bigint NOT NULL,
            created_at timestamptz NOT NULL, stage_changed_at timestamptz NOT NULL, stage_sequence bigint NOT NULL,
            PRIMARY KEY (model, version));
        CREATE TABLE aliases (
            model text NOT NULL, alias text NOT NULL, version integer NOT NULL, PRIMARY KEY (model, alias));
        CREATE TABLE history (
            sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text NOT NULL, model text NOT NULL, version integer NOT NULL,
            from_stage text, to_stage text, alias text, previous_version integer, actor text NOT NULL, at timestamptz NOT NULL, reason text);
        CREATE INDEX history_model ON history(model, sequence);
        CREATE TABLE artifacts (
            sha256 text PRIMARY KEY, content bytea NOT NULL, size bigint NOT NULL, created_at timestamptz NOT NULL);
        """,
    ];

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string? _schema;
    private readonly long _lockKey;

    public PostgreSqlModelRegistry(NpgsqlDataSource dataSource, bool ownsDataSource, string? schema, TimeProvider time, TimeSpan pollInterval, IArtifactStore? artifacts = null)
        : base(artifacts ?? new PostgreSqlArtifactStore(dataSource), time, pollInterval)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _schema = schema;
        var scope = "recsys.registry/" + (schema ?? new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).SearchPath ?? "");
        _lockKey = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(scope)), 0);
    }

    protected override IReadOnlyList<string> Migrations => SchemaMigrations;

    protected override string AliasListSql =>
        "(SELECT string_agg(a.alias, chr(31) ORDER BY a.alias) FROM aliases a WHERE a.model = v.model AND a.version = v.version)";

    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    protected override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Held until commit or rollback: one writer per registry schema, on every machine.
            await using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key)", ("@key", _lockKey));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override async Task PrepareAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, DdlPrelude(_schema));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // Delivered to listeners when the transaction commits, never when it rolls back.
    protected override async Task OnHistoryAppendedAsync(DbConnection connection, DbTransaction transaction, long sequence, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT pg_notify(@channel, @payload)", ("@channel", Channel), ("@payload", $"{_schema}:{sequence}"));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task<IChangeSignal> OpenChangeSignalAsync(CancellationToken cancellationToken)
    {
        var signal = new NotificationSignal(_dataSource);
        await signal.TryListenAsync(cancellationToken).ConfigureAwait(false);
        return signal;
    }

    /// <summary>
    /// A connection that LISTENs on <see cref="Channel"/>. If it breaks (a server restart), the feed falls back to
    /// polling until it can listen again; every wake-up is followed by a read of the history, so nothing is missed.
    /// </summary>
    private sealed class NotificationSignal(NpgsqlDataSource dataSource) : IChangeSignal
    {
        private NpgsqlConnection? _connection;

        public async Task TryListenAsync(CancellationToken cancellationToken)
        {
            try
            {
                var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var listen = new NpgsqlCommand($"LISTEN {Channel}", connection);
                await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _connection = connection;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                _connection = null;
            }
        }

        public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (_connection is null)
            {
                await Task.Delay(timeout, cancellationToken).ConfigureAwait(false);
                await TryListenAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            try
            {
                await _connection.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
