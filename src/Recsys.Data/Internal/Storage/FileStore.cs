namespace Recsys.Data.Internal.Storage;

// The one file-system abstraction the readers use (Parquet files and folders, Delta logs, checkpoints, deletion
// vectors, delimited files), so local and remote data share every code path. A path is a local path or an
// object-store URL (az://container/path, abfss://container@account.dfs.core.windows.net/path, s3://bucket/path); a remote "folder" is
// a prefix. Streams are seekable: Parquet reads its footer and then only the column chunks it needs, as ranged reads.
internal abstract class FileStore
{
    public static bool IsRemote(string path) =>
        path.StartsWith("az://", StringComparison.OrdinalIgnoreCase)
        || path.StartsWith("abfss://", StringComparison.OrdinalIgnoreCase)
        || path.StartsWith("abfs://", StringComparison.OrdinalIgnoreCase)
        || path.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    public static FileStore For(string path) =>
        !IsRemote(path) ? LocalFileStore.Instance
        : path.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) ? S3FileStore.ForUrl(path)
        : AzureFileStore.ForUrl(path);

    // A canonical form of the path: absolute for local paths, without a trailing separator.
    public abstract string FullPath(string path);

    public abstract bool FileExists(string path);

    public abstract bool DirectoryExists(string path);

    // Files (not folders) under a folder, full paths in ordinal order; all levels or the first only.
    public abstract IEnumerable<string> EnumerateFiles(string directory, bool recursive);

    // A seekable stream.
    public abstract Stream OpenRead(string path);

    public abstract DateTimeOffset LastModified(string path);

    public abstract string Combine(string directory, string relative);

    public abstract string? Parent(string path);

    public abstract string FileName(string path);

    // The folders between a root and a path, in order.
    public abstract IReadOnlyList<string> FoldersBetween(string root, string path);

    public IEnumerable<string> ReadLines(string path)
    {
        using var reader = new StreamReader(OpenRead(path));
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}

internal sealed class LocalFileStore : FileStore
{
    public static readonly LocalFileStore Instance = new();

    public override string FullPath(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    public override bool FileExists(string path) => File.Exists(path);

    public override bool DirectoryExists(string path) => Directory.Exists(path);

    public override IEnumerable<string> EnumerateFiles(string directory, bool recursive) =>
        Directory.EnumerateFiles(directory, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly).Select(Path.GetFullPath).Order(StringComparer.Ordinal);

    public override Stream OpenRead(string path) => File.OpenRead(path);

    public override DateTimeOffset LastModified(string path) => new(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);

    public override string Combine(string directory, string relative) => Path.GetFullPath(Path.IsPathRooted(relative) ? relative : Path.Combine(directory, relative));

    public override string? Parent(string path) => Path.GetDirectoryName(path);

    public override string FileName(string path) => Path.GetFileName(path);

    public override IReadOnlyList<string> FoldersBetween(string root, string path) =>
        Path.GetRelativePath(root, Path.GetDirectoryName(path)!).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Where(f => f != ".").ToList();
}
