namespace Recsys.Tests.Shared;

/// <summary>The <c>recsys</c> command line, as built beside the tests.</summary>
internal static class RecsysCli
{
    /// <summary>The built <c>recsys.dll</c> of the same configuration as the tests.</summary>
    public static string Find()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "Recsys.Cli", "bin", configuration, "net10.0", "recsys.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("recsys.dll was not found; build samples/Recsys.Cli first.");
    }
}
