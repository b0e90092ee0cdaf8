using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Recsys.Registry;

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

    /// <summary>Stores made before interaction kinds were kept get the <c>kind</c> column (SQLite has no ADD COLUMN IF NOT EXISTS).</summary>
    protected override async Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var probe = connection.CreateCommand();
        probe.CommandText = "SELECT COUNT(*) FROM pragma_table_info('interactions') WHERE name = 'kind'";
        if (Convert.ToInt64(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0)
        {
            return;
        }

        try
        {
            await using var alter = connection.CreateCommand();
            alter.CommandText = "ALTER TABLE interactions ADD COLUMN kind TEXT";
            await alter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.Message.Contains("duplicate column", StringComparison.OrdinalIgnoreCase))
        {
            // another process added it first
        }
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
