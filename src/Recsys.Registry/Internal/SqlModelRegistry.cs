using System.Data.Common;
using System.Globalization;

namespace Recsys.Registry;


/// <summary>
/// The registry on a relational database through ADO.NET: the SQL, transactions and audit history shared by the
/// SQLite and PostgreSQL backends. A backend supplies connections, its write transaction (one writer at a time, so
/// history sequence numbers are committed in order), its schema migrations and the SQL that differs.
/// </summary>
internal abstract partial class SqlModelRegistry : IModelRegistry
{
    /// <summary>Releases what the backend holds (a connection keeping an in-memory database alive, an owned pool); idempotent.</summary>
    /// <returns>A task.</returns>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private readonly IArtifactStore _artifacts;
    private readonly SemaphoreSlim _migrationGate = new(1, 1);
    private volatile bool _migrated;

    protected SqlModelRegistry(IArtifactStore artifacts, TimeProvider time, TimeSpan pollInterval)
    {
        _artifacts = artifacts;
        Time = time;
        PollInterval = pollInterval;
    }

    /// <summary>The clock of timestamps and of polling.</summary>
    protected TimeProvider Time { get; }

    /// <summary>How often the change feed looks for changes when it has no other signal.</summary>
    protected TimeSpan PollInterval { get; }

    /// <summary>The schema migrations, in order; migration N brings the schema to version N.</summary>
    protected abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>A SQL expression, over the <c>versions v</c> row, of the version's aliases in order joined by U+001F.</summary>
    protected abstract string AliasListSql { get; }

    /// <summary>Opens a new connection.</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Begins a write transaction that excludes every other writer of this registry until it ends.</summary>
    protected abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Called inside the transaction that appended history entry <paramref name="sequence"/>.</summary>
    protected virtual Task OnHistoryAppendedAsync(DbConnection connection, DbTransaction transaction, long sequence, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs first in the migration transaction (for example, to create a schema).</summary>
    protected virtual Task PrepareAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The value a timestamp is stored as.</summary>
    protected virtual object TimeValue(DateTimeOffset time) => time;

    /// <summary>What the change feed waits on.</summary>
    protected internal interface IChangeSignal : IAsyncDisposable
    {
        /// <summary>Waits until a change may have been committed or <paramref name="timeout"/> passes.</summary>
        Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken);
    }

    /// <summary>
    /// An alias is an identifier, not text: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit
    /// (it becomes a URL segment, a metrics label and a configuration value).
    /// </summary>
    private static void CheckAlias(string alias, string parameter)
    {
        CheckName(alias, parameter);
        if (alias.Length > 64 || !char.IsAsciiLetterOrDigit(alias[0]) || !alias.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new ArgumentException($"'{(alias.Length > 64 ? alias[..64] + "…" : alias)}' is not an alias name: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (for example champion or challenger-2).", parameter);
        }
    }

    private static void CheckName(string value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("A name must not be empty.", parameter);
        }
    }

    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters) =>
        Sql.Command(connection, transaction, sql, parameters);

    private object Now() => TimeValue(Time.GetUtcNow());

    /// <summary>Opens a connection, creating or migrating the schema first when this instance has not yet.</summary>
    protected async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction and commits it.</summary>
    private async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var result = await work(connection, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await _migrationGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_migrated)
            {
                return;
            }

            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            await PrepareAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            await using (var create = Command(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            int current;
            await using (var read = Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version"))
            {
                current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            }

            if (current > Migrations.Count)
            {
                throw new RegistryException($"The registry database has schema version {current}; this library knows versions up to {Migrations.Count}. Upgrade Recsys.");
            }

            for (var version = current + 1; version <= Migrations.Count; version++)
            {
                await using var migrate = Command(connection, transaction, Migrations[version - 1]);
                await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await using var record = Command(connection, transaction, "INSERT INTO schema_version (version) VALUES (@version)", ("@version", version));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _migrated = true;
        }
        finally
        {
            _migrationGate.Release();
        }
    }
}
