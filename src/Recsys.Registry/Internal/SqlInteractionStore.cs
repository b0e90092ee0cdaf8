using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Recsys.Data;

namespace Recsys.Registry;

/// <summary>The interaction store on a relational database: one append-only table, created on first use.</summary>
internal abstract class SqlInteractionStore : IInteractionStore
{
    private CreateOnce? _table;
    private volatile bool _migrated;

    /// <summary>Creates the <c>interactions</c> table and its user index when missing.</summary>
    protected abstract string CreateSql { get; }

    /// <summary>Releases an owned connection pool; idempotent.</summary>
    /// <returns>A task.</returns>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public async Task AppendAsync(IReadOnlyList<Interaction> interactions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO interactions (user_id, item_id, value, timestamp, kind) VALUES (@user, @item, @value, @timestamp, @kind)";
        var user = Add(insert, "@user");
        var item = Add(insert, "@item");
        var value = Add(insert, "@value");
        var timestamp = Add(insert, "@timestamp");
        var kind = Add(insert, "@kind");
        foreach (var interaction in interactions)
        {
            kind.Value = (object?)interaction.Kind ?? DBNull.Value;
            user.Value = interaction.UserId;
            item.Value = interaction.ItemId;
            value.Value = (double)interaction.Value;
            timestamp.Value = interaction.Timestamp;
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Interaction>> GetUserInteractionsAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT user_id, item_id, value, timestamp, kind FROM interactions WHERE user_id = @user ORDER BY id";
        Add(query, "@user").Value = userId;
        var result = new List<Interaction>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Read(reader));
        }

        return result;
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT COUNT(*) FROM interactions";
        return Convert.ToInt64(await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    public async IAsyncEnumerable<Interaction> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT user_id, item_id, value, timestamp, kind FROM interactions ORDER BY id";
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return Read(reader);
        }
    }

    /// <summary>Opens a new connection.</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Brings a table created by an older version up to date; runs once per store, after <see cref="CreateSql"/>.</summary>
    protected virtual Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    private static Interaction Read(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), (float)reader.GetDouble(2), reader.GetInt64(3)) { Kind = reader.IsDBNull(4) ? null : reader.GetString(4) };

    private static DbParameter Add(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await LazyInitializer.EnsureInitialized(ref _table, () => new CreateOnce(CreateSql)).EnsureAsync(connection, cancellationToken).ConfigureAwait(false);
        if (!_migrated)
        {
            await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            _migrated = true;
        }

        return connection;
    }
}
