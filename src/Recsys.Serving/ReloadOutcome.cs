namespace Recsys.Serving;

/// <summary>The outcome of reloading one served target.</summary>
/// <param name="Target">The target: the configured stage or alias, an alias, or another model's name.</param>
/// <param name="PreviousVersion">The version served before, if any.</param>
/// <param name="Version">The version served now, if any.</param>
/// <param name="Error">Why loading the registry's version failed (the previous one keeps serving), or null.</param>
public sealed record ReloadOutcome(string Target, int? PreviousVersion, int? Version, string? Error);
