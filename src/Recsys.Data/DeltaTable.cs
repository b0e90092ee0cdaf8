using Recsys.Data.Internal.Delta;
using Recsys.Data.Internal.Storage;

namespace Recsys.Data;

/// <summary>Opens Delta Lake tables on the local file system or in Azure Blob Storage / ADLS (<c>az://container/path</c>, <c>abfss://container@account.dfs.core.windows.net/path</c>).</summary>
/// <remarks>
/// The reader implements the reader side of the Delta protocol: replay of JSON commits, classic, multi-part and v2
/// (sidecar) Parquet checkpoints, add/remove reconciliation, partition values, column mapping by name and by id,
/// deletion vectors (inline and on disk), and time travel. Reader versions above 3 and reader features it does not
/// implement are refused with a <see cref="DeltaTableException"/> that names them.
/// </remarks>
public static class DeltaTable
{
    /// <summary>Whether a directory is a Delta table (has a <c>_delta_log</c> directory).</summary>
    /// <param name="path">The directory.</param>
    /// <returns><see langword="true"/> when <paramref name="path"/> holds a <c>_delta_log</c> directory.</returns>
    public static bool IsDeltaTable(string path) =>
        !string.IsNullOrEmpty(path) && FileStore.For(path) is var store && store.DirectoryExists(store.Combine(path, "_delta_log"));

    /// <summary>Reads the log of a table and returns its snapshot at a version.</summary>
    /// <param name="path">The table's directory.</param>
    /// <param name="version">The version to read, or <see langword="null"/> for the latest.</param>
    /// <param name="asOf">Read the newest version committed at or before this time (the commit's in-commit timestamp when the table enables them, else the commit file's modification time); not with <paramref name="version"/>.</param>
    /// <returns>The snapshot: schema, live files and version.</returns>
    /// <exception cref="DeltaTableException">The table cannot be read at that version, or needs a feature this reader refuses.</exception>
    /// <exception cref="ArgumentException">Both <paramref name="version"/> and <paramref name="asOf"/> are given.</exception>
    public static DeltaSnapshot Open(string path, long? version = null, DateTimeOffset? asOf = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (version is not null && asOf is not null)
        {
            throw new ArgumentException("Give a version or a timestamp to read the table as of, not both.", nameof(asOf));
        }

        var store = FileStore.For(path);
        var root = store.FullPath(path);
        if (!store.DirectoryExists(root))
        {
            throw new DeltaTableException(root, "the directory does not exist");
        }

        return new DeltaSnapshot(DeltaLog.Load(root, version, asOf));
    }

    /// <summary>Counts the rows added by the table's data-changing commits (appends, the new files of updates and deletes), over the history its log keeps.</summary>
    /// <param name="path">The table's directory.</param>
    /// <returns>The total; it only grows as versions are committed, so the difference between two counts is the rows added in between.</returns>
    /// <exception cref="DeltaTableException">The log cannot be read.</exception>
    /// <remarks>Each add's <c>numRecords</c> statistic is used, or the data file's footer when the statistic is missing.</remarks>
    public static long CountAddedRows(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return DeltaLog.CountAddedRows(FileStore.For(path).FullPath(path));
    }
}
