namespace Recsys.Data.Internal.Delta;

internal static class DeltaPaths
{
    // An add/remove path (a URI, relative to the table root unless absolute) as a local file path.
    public static string Resolve(string path, string tableRoot, string table)
    {
        if (Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme.Length > 1)
        {
            if (!absolute.IsFile)
            {
                throw new DeltaTableException(table, $"the file '{path}' is on {absolute.Scheme}:, and this reader reads only local files");
            }

            return Path.GetFullPath(absolute.LocalPath);
        }

        var relative = Uri.UnescapeDataString(path);
        return Path.GetFullPath(Path.IsPathRooted(relative) ? relative : Path.Combine(tableRoot, relative));
    }
}
