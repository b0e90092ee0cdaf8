using Microsoft.Data.Sqlite;
using Recsys.Data;

namespace Recsys.Registry;

/// <summary>Opens the built-in interaction stores.</summary>
internal static class InteractionStores
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
