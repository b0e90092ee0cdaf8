using System.ComponentModel;

namespace Recsys.Serving;

/// <summary>What is cached per (model version, user, request).</summary>
/// <remarks>
/// Sealed and marked immutable, so HybridCache hands out the cached instance itself on a local hit instead of
/// deserializing a copy per request; nothing mutates it (nor its items) after it is built.
/// </remarks>
[ImmutableObject(true)]
internal sealed record CachedRecommendations(RecommendationItem[] Items, string? Fallback);
