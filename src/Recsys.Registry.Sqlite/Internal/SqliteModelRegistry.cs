using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Recsys.Registry;

/// <summary>
/// The embedded registry: one SQLite database (WAL mode; writes in <c>BEGIN IMMEDIATE</c> transactions, so
/// concurrent writers — threads or processes — are serialized) and content-addressed artifacts. Created with
/// <see cref="ModelRegistries"/>.
/// </summary>
internal sealed class SqliteModelRegistry : SqlModelRegistry, IDisposable
{
    private static readonly string[] SchemaMigrations =
    [
        """
        CREATE TABLE models (
            name TEXT PRIMARY KEY, description TEXT, tags TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE versions (
            model TEXT NOT NULL REFERENCES models(name), version INTEGER NOT NULL, status TEXT NOT NULL, stage TEXT NOT NULL,
            trainer TEXT NOT NULL, parameters TEXT NOT NULL, metrics TEXT NOT NULL, lineage TEXT, signature TEXT,
            tags TEXT NOT NULL, description TEXT, artifact_sha256 TEXT NOT NULL, artifact_size INTEGER NOT NULL,
            created_at TEXT NOT NULL, stage_changed_at TEXT NOT NULL, stage_sequence INTEGER NOT NULL,
            PRIMARY KEY (model, version));
        CREATE TABLE aliases (
            model TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (model, alias));
        CREATE TABLE history (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, model TEXT NOT NULL, version INTEGER NOT NULL,
            from_stage TEXT, to_stage TEXT, alias TEXT, previous_version INTEGER, actor TEXT NOT NULL, at TEXT NOT NULL, reason TEXT);
        CREATE INDEX history_model ON history(model, sequence);
        """,
    ];

    private readonly string _connectionString;
    private readonly SqliteConnection? _keepAlive;

    public SqliteModelRegistry(string connectionString, IArtifactStore artifacts, TimeProvider time, TimeSpan pollInterval, bool keepAlive)
        : base(artifacts, time, pollInterval)
    {
        _connectionString = connectionString;
        if (keepAlive)
        {
            // An in-memory database lives as long as one connection to it is open.
            _keepAlive = new SqliteConnection(connectionString);
            _keepAlive.Open();
        }
        else
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }
    }

    protected override IReadOnlyList<string> Migrations => SchemaMigrations;

    protected override string AliasListSql =>
        "(SELECT group_concat(a.alias, char(31)) FROM (SELECT alias FROM aliases a WHERE a.model = v.model AND a.version = v.version ORDER BY alias) a)";

    public void Dispose() => _keepAlive?.Dispose();

    public override ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    // Microsoft.Data.Sqlite begins IMMEDIATE transactions: the write lock is taken at BEGIN, not at the first write.
    protected override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    // Text in the round-trip format, as schema version 1 stored it.
    protected override object TimeValue(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);
}
