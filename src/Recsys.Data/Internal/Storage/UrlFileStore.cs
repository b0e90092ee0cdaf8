namespace Recsys.Data.Internal.Storage;

// What object stores share: paths are URLs (scheme://authority/key), folders are '/'-separated key prefixes.
internal abstract class UrlFileStore : FileStore
{
    public override string FullPath(string path) => path.TrimEnd('/');

    public override string Combine(string directory, string relative) => $"{FullPath(directory)}/{relative.TrimStart('/')}";

    public override string? Parent(string path)
    {
        var full = FullPath(path);
        var slash = full.LastIndexOf('/');
        return slash <= full.IndexOf("://", StringComparison.Ordinal) + 2 ? null : full[..slash];
    }

    public override string FileName(string path) => FullPath(path)[(FullPath(path).LastIndexOf('/') + 1)..];

    public override IReadOnlyList<string> FoldersBetween(string root, string path)
    {
        var start = FullPath(root) + "/";
        var parent = Parent(path) ?? string.Empty;
        return parent.Length < start.Length ? [] : parent[start.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
    }
}
