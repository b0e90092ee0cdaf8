namespace Recsys.Data;

/// <summary>A new folder of a process's own inside a folder the user named: what a scratch file writer may later delete whole.</summary>
internal static class ScratchFolder
{
    public static string Create(string parent, string prefix)
    {
        var full = Path.GetFullPath(parent);
        Directory.CreateDirectory(full);
        while (true)
        {
            var path = Path.Combine(full, prefix + Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal));
            if (!Directory.Exists(path) && !File.Exists(path))
            {
                return Directory.CreateDirectory(path).FullName;
            }
        }
    }
}
