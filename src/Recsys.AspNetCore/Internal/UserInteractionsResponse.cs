namespace Recsys.AspNetCore;

/// <summary>The body of <c>GET /users/{user_id}/interactions</c>.</summary>
internal sealed record UserInteractionsResponse(string UserId, IReadOnlyList<StoredInteraction> Interactions);
