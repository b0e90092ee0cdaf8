namespace Recsys.Serving;

/// <summary>
/// The keys of the services Recsys keeps to itself, so that they never replace or use the host's own: its
/// <c>HybridCache</c> and, with <c>UseDistributedCache</c>, the <c>IDistributedCache</c> behind it are keyed services
/// under <see cref="Cache"/> (resolve them with <c>GetRequiredKeyedService</c> to inspect them).
/// </summary>
public static class RecsysServiceKeys
{
    /// <summary>The key of Recsys's HybridCache and of its second-level IDistributedCache.</summary>
    public const string Cache = "Recsys";
}
