namespace Recsys.Tests.Shared;

/// <summary>
/// Locates the Delta project's golden tables, which are read from ../shared and never copied into the repository:
/// the directory in RECSYS_DELTA_GOLDEN_DIR, else <c>shared/data/delta-golden</c> beside the checkout or any parent.
/// </summary>
internal static class DeltaGoldenData
{
    public static string? Directory { get; } = Find();

    public static string SkipReason =>
        "The Delta golden tables were not found: set RECSYS_DELTA_GOLDEN_DIR or place them at ../shared/data/delta-golden next to the checkout.";

    /// <summary>Returns a golden table's directory, or skips the calling test with a visible reason when it is absent.</summary>
    public static string Table(string name)
    {
        Assert.SkipWhen(Directory is null, SkipReason);
        var path = Path.Combine(Directory!, "tables", name);
        Assert.SkipUnless(System.IO.Directory.Exists(path), $"{path} does not exist.");
        return path;
    }

    private static string? Find()
    {
        var configured = Environment.GetEnvironmentVariable("RECSYS_DELTA_GOLDEN_DIR");
        if (!string.IsNullOrEmpty(configured))
        {
            return System.IO.Directory.Exists(configured) ? configured : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "delta-golden");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
