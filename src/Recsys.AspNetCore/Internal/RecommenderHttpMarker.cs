namespace Recsys.AspNetCore;

/// <summary>Registered by <c>AddRecommender()</c>: makes it idempotent and lets <c>MapRecommender</c> check it was called.</summary>
internal sealed class RecommenderHttpMarker;
