namespace Recsys.Tests.Shared;

/// <summary>
/// Locates MovieLens latest-small, which is never copied into the repository (its licence forbids it): the
/// directory in RECSYS_MOVIELENS_DIR, else <c>shared/data/ml-latest-small</c> beside the checkout or any parent.
/// </summary>
internal static class MovieLensData
{
    public static string? Directory { get; } = Find();

    public static string SkipReason =>
        "MovieLens latest-small was not found: set RECSYS_MOVIELENS_DIR or place it at ../shared/data/ml-latest-small next to the checkout.";

    /// <summary>Returns a file of the data set, or skips the calling test with a visible reason when it is absent.</summary>
    public static string File(string relativePath)
    {
        Assert.SkipWhen(Directory is null, SkipReason);
        var path = Path.Combine(Directory!, relativePath);
        Assert.SkipUnless(System.IO.File.Exists(path), $"{path} does not exist.");
        return path;
    }

    private static string? Find()
    {
        var configured = Environment.GetEnvironmentVariable("RECSYS_MOVIELENS_DIR");
        if (!string.IsNullOrEmpty(configured))
        {
            return System.IO.Directory.Exists(configured) ? configured : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "ml-latest-small");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
