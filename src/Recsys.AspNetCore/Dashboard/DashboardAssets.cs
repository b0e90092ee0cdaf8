using Microsoft.AspNetCore.Http;

namespace Recsys.AspNetCore.Dashboard;

// The stylesheet and the live page's script, embedded in this assembly: the dashboard works offline.
internal static class DashboardAssets
{
    private static readonly Dictionary<string, (byte[] Content, string Type)> Files = new(StringComparer.Ordinal)
    {
        ["dashboard.css"] = (Read("dashboard.css"), "text/css; charset=utf-8"),
        ["dashboard.js"] = (Read("dashboard.js"), "text/javascript; charset=utf-8"),
    };

    public static IResult Get(string file) =>
        Files.TryGetValue(file, out var asset)
            ? Results.Bytes(asset.Content, asset.Type)
            : Results.NotFound();

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream($"Recsys.AspNetCore.Dashboard.{name}")
            ?? throw new InvalidOperationException($"The dashboard asset {name} is not embedded in {typeof(DashboardAssets).Assembly.GetName().Name}.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
