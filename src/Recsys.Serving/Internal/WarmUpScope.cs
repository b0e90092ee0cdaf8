namespace Recsys.Serving;

/// <summary>
/// Marks the requests of the host's own warm-up (Recsys.AspNetCore sends them to itself before it reports ready): they
/// run the real code path, the response cache included but under keys of their own that live a second (so no real
/// user's entry is made or read), and skip the serving metrics (so the counters are the traffic's).
/// </summary>
internal static class WarmUpScope
{
    private static readonly AsyncLocal<bool> Current = new();

    public static bool Active => Current.Value;

    /// <summary>Marks the rest of the current asynchronous flow as warm-up.</summary>
    public static void Enter() => Current.Value = true;
}
