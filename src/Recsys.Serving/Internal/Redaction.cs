using System.Text.RegularExpressions;

namespace Recsys.Serving;

/// <summary>
/// What anonymous readers are not shown: absolute file-system paths (data files, registries) become their last segment
/// (<c>/srv/data/ratings.csv</c> → <c>…/ratings.csv</c>), so the public pages and <c>/stats</c> say which data without
/// saying where the machine keeps it. Host names and process ids are left out by the callers.
/// </summary>
internal static partial class Redaction
{
    public static string? Paths(string? text) => text is null ? null : UnixPath().Replace(WindowsPath().Replace(text, "…\\$1"), "…/$1");

    [GeneratedRegex(@"(?<![\w.~-])/(?:[^\s/:;,()'""<>|]+/)+([^\s/:;,()'""<>|]+)")]
    private static partial Regex UnixPath();

    [GeneratedRegex(@"\b[A-Za-z]:\\(?:[^\s\\:;,()'""<>|]+\\)+([^\s\\:;,()'""<>|]+)")]
    private static partial Regex WindowsPath();
}
