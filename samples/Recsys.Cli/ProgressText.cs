using System.Globalization;

namespace Recsys.Cli;

/// <summary>The text of progress rows: cut to a width, and the time left. No dependency, so the tests compile it too.</summary>
internal static class ProgressText
{
    /// <summary>The text cut to <paramref name="width"/> characters, an ellipsis marking the cut.</summary>
    public static string Fit(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, Math.Max(0, width - 1)), "…");

    /// <summary>The time left at the rate since the first report (<c>&lt;1 s</c>, <c>42 s</c>, <c>3:05</c>, <c>1:02:03</c>); null before any progress or without a total.</summary>
    /// <param name="elapsed">The time since the first report.</param>
    /// <param name="done">The progress made since the first report.</param>
    /// <param name="left">The progress still to make.</param>
    public static string? Remaining(TimeSpan elapsed, double done, double left)
    {
        if (done <= 0 || left <= 0 || elapsed <= TimeSpan.Zero)
        {
            return null;
        }

        var time = TimeSpan.FromSeconds(Math.Min(elapsed.TotalSeconds * left / done, TimeSpan.FromDays(1).TotalSeconds));
        return time < TimeSpan.FromSeconds(1) ? "<1 s"
            : time < TimeSpan.FromMinutes(1) ? string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalSeconds} s")
            : time < TimeSpan.FromHours(1) ? time.ToString(@"m\:ss", CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours}:{time.Minutes:00}:{time.Seconds:00}");
    }
}
