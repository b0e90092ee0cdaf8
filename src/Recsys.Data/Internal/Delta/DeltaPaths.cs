namespace Recsys.Data.Internal.Delta;

internal static class DeltaPaths
{
    // An add/remove path (a URI, relative to the table root unless absolute) as a path of the table's store.
    public static string Resolve(string path, string tableRoot, string table)
    {
        if (Storage.FileStore.IsRemote(path))
        {
            return path;
        }

        if (Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme.Length > 1)
        {
            if (!absolute.IsFile)
            {
                throw new DeltaTableException(table, $"the file '{path}' is on {absolute.Scheme}:, which this reader does not read (local paths, az:// and abfss:// are read)");
            }

            return Path.GetFullPath(absolute.LocalPath);
        }

        return Storage.FileStore.For(tableRoot).Combine(tableRoot, Uri.UnescapeDataString(path));
    }
}
