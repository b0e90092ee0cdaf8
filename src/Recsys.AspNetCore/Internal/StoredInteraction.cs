namespace Recsys.AspNetCore;

/// <summary>One stored interaction, as <c>GET /users/{user_id}/interactions</c> returns it.</summary>
internal sealed record StoredInteraction(string ItemId, float Rating, long Timestamp, string? InteractionType);
