using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Recsys.Data;

namespace Recsys.Registry;

/// <summary>The interaction store on a relational database: one append-only table, created on first use.</summary>
internal abstract class SqlInteractionStore : IInteractionStore
{
    private CreateOnce? _table;

    /// <summary>Creates the <c>interactions</c> table and its user index when missing.</summary>
    protected abstract string CreateSql { get; }

    public async Task AppendAsync(IReadOnlyList<Interaction> interactions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO interactions (user_id, item_id, value, timestamp) VALUES (@user, @item, @value, @timestamp)";
        var user = Add(insert, "@user");
        var item = Add(insert, "@item");
        var value = Add(insert, "@value");
        var timestamp = Add(insert, "@timestamp");
        foreach (var interaction in interactions)
        {
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
        query.CommandText = "SELECT user_id, item_id, value, timestamp FROM interactions WHERE user_id = @user ORDER BY id";
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
        query.CommandText = "SELECT user_id, item_id, value, timestamp FROM interactions ORDER BY id";
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return Read(reader);
        }
    }

    /// <summary>Opens a new connection.</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    private static Interaction Read(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), (float)reader.GetDouble(2), reader.GetInt64(3));

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
        return connection;
    }
}

/// <summary>The interaction store in a SQLite file.</summary>
internal sealed class SqliteInteractionStore(string connectionString) : SqlInteractionStore
{
    protected override string CreateSql =>
        """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS interactions (
            id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, item_id TEXT NOT NULL, value REAL NOT NULL, timestamp INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS interactions_user ON interactions(user_id, id);
        """;

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}

/// <summary>Opens the built-in interaction stores.</summary>
public static class InteractionStores
{
    /// <summary>Opens (creating as needed) the interaction store <c>interactions.db</c> in a directory.</summary>
    /// <param name="directory">The directory (the registry directory is a good place).</param>
    /// <returns>The store.</returns>
    public static IInteractionStore OpenSqlite(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        return new SqliteInteractionStore(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, "interactions.db"),
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = 60,
            Pooling = true,
        }.ToString());
    }
}
