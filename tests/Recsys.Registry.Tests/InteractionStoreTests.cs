using Microsoft.Data.Sqlite;
using Recsys.Data;

namespace Recsys.Registry.Tests;

/// <summary>The SQLite interaction store keeps interaction kinds, also in a store created before kinds existed.</summary>
public sealed class InteractionStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OldStore_GetsTheKindColumn_AndKeepsItsRows()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"recsys-store-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            // The table as stores before this change created it, with one row.
            using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "interactions.db")}"))
            {
                connection.Open();
                using var create = connection.CreateCommand();
                create.CommandText =
                    """
                    CREATE TABLE interactions (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, item_id TEXT NOT NULL, value REAL NOT NULL, timestamp INTEGER NOT NULL);
                    INSERT INTO interactions (user_id, item_id, value, timestamp) VALUES ('u', 'old', 3.5, 10);
                    """;
                create.ExecuteNonQuery();
            }

            var store = InteractionStores.OpenSqlite(directory);
            await store.AppendAsync([new Interaction("u", "new", 1, 20) { Kind = "click" }], Ct);

            var rows = await store.GetUserInteractionsAsync("u", Ct);
            Assert.Equal([new Interaction("u", "old", 3.5f, 10), new Interaction("u", "new", 1, 20) { Kind = "click" }], rows);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
