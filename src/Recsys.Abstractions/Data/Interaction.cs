namespace Recsys.Data;

/// <summary>
/// One observed interaction between a user and an item: an explicit rating, a click count or any other
/// numeric signal, with the time it happened.
/// </summary>
/// <param name="UserId">The user's identifier as it appears at the edge (a MovieLens id, a login, a GUID).</param>
/// <param name="ItemId">The item's identifier as it appears at the edge (a MovieLens id, a SKU).</param>
/// <param name="Value">The rating or signal strength. Always a finite number.</param>
/// <param name="Timestamp">When the interaction happened, in seconds since the Unix epoch (0 when unknown).</param>
public readonly record struct Interaction(string UserId, string ItemId, float Value, long Timestamp)
{
    /// <summary>Gets what kind of interaction it was (for example <c>view</c>, <c>click</c>, <c>rating</c>, <c>purchase</c>), or <see langword="null"/> when not given.</summary>
    public string? Kind { get; init; }
}
