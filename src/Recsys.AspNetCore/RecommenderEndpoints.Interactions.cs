using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Recsys.Data;
using Recsys.Serving;

namespace Recsys.AspNetCore;

/// <summary>Storing and reading interactions.</summary>
public static partial class RecommenderEndpoints
{
    private static async Task<IResult> PostInteractionsAsync(HttpContext context, IRecommendationService service, IOptions<RecommenderHttpOptions> http, TimeProvider time)
    {
        var (body, error) = await ReadJsonAsync(context, RecommenderJsonContext.Default.ListInteractionRequest, http.Value, acceptSingle: RecommenderJsonContext.Default.InteractionRequest).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var interactions = new List<Interaction>(body!.Count);
        for (var k = 0; k < body.Count; k++)
        {
            var row = body[k];
            if (row is null)
            {
                return Problems.BadRequest($"[{k}]: an interaction must be an object.");
            }

            // The service checks ids, values and kinds (a 400 naming the entry). Without a rating the interaction is an implicit signal of value 1.
            interactions.Add(new Interaction(row.UserId ?? "", row.ItemId ?? "", row.Rating ?? 1f, row.Timestamp ?? now) { Kind = row.InteractionType });
        }

        await service.AddInteractionsAsync(interactions, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(new InteractionsAccepted(interactions.Count), RecommenderJsonContext.Default.InteractionsAccepted, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetInteractionsAsync(HttpContext context, IRecommendationService service)
    {
        var userId = (string?)context.Request.RouteValues["user_id"];
        var stored = await service.GetUserInteractionsAsync(userId!, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(
            new UserInteractionsResponse(userId!, [.. stored.Select(i => new StoredInteraction(i.ItemId, i.Value, i.Timestamp, i.Kind))]),
            RecommenderJsonContext.Default.UserInteractionsResponse);
    }
}
