namespace Recsys.Serving;

/// <summary>The registered model version that produced an answer.</summary>
/// <param name="Name">The registered model's name.</param>
/// <param name="Version">The version number.</param>
public sealed record ModelInfo(string Name, int Version);
