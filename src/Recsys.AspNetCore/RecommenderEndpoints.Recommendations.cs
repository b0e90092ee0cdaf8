using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Recsys.Serving;

namespace Recsys.AspNetCore;

/// <summary>Recommendations and similar items.</summary>
public static partial class RecommenderEndpoints
{
    private static async Task<IResult> PostRecommendationsAsync(HttpContext context, IRecommendationService service, IOptions<RecommenderHttpOptions> http)
    {
        var (body, error) = await ReadJsonAsync(context, RecommenderJsonContext.Default.RecommendationRequest, http.Value).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var filters = body!.Filters ?? new RecommendationFilters();
        return await RecommendAsync(
            service,
            body.UserId,
            body.NumRecommendations,
            body.ExcludeSeen,
            body.Algorithm,
            filters.IncludeGenres,
            filters.ExcludeGenres,
            filters.ExcludeItems,
            filters.MinScore,
            context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IResult> GetRecommendationsAsync(HttpContext context, IRecommendationService service)
    {
        var query = context.Request.Query;
        var userId = (string?)context.Request.RouteValues["user_id"];
        if (!TryParse(query, "num_recommendations", int.TryParse, out int? count, out var error)
            || !TryParse(query, "exclude_seen", bool.TryParse, out bool? excludeSeen, out error)
            || !TryParse(query, "min_score", (string? s, out float v) => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v), out float? minScore, out error))
        {
            return error!;
        }

        return await RecommendAsync(
            service,
            userId,
            count,
            excludeSeen,
            query["algorithm"].ToString() is { Length: > 0 } algorithm ? algorithm : null,
            List(query, "include_genres"),
            List(query, "exclude_genres"),
            List(query, "exclude_items"),
            minScore,
            context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IResult> RecommendAsync(
        IRecommendationService service,
        string? userId,
        int? count,
        bool? excludeSeen,
        string? algorithm,
        List<string>? includeGenres,
        List<string>? excludeGenres,
        List<string>? excludeItems,
        float? minScore,
        CancellationToken cancellationToken)
    {
        // The service validates (InvalidQueryException, a 400 naming the field, through the error filter).
        var response = await service.RecommendAsync(
            new RecommendationQuery
            {
                UserId = userId!,
                Count = count,
                ExcludeSeen = excludeSeen ?? true,
                Algorithm = algorithm,
                IncludeGenres = includeGenres ?? [],
                ExcludeGenres = excludeGenres ?? [],
                ExcludeItems = excludeItems ?? [],
                MinScore = minScore,
            },
            cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(response, RecommenderJsonContext.Default.RecommendationResponse);
    }

    private static async Task<IResult> GetSimilarAsync(HttpContext context, IRecommendationService service)
    {
        var itemId = (string?)context.Request.RouteValues["item_id"];
        if (!TryParse(context.Request.Query, "num_recommendations", int.TryParse, out int? count, out var error))
        {
            return error!;
        }

        var similar = await service.SimilarItemsAsync(itemId!, count, context.RequestAborted).ConfigureAwait(false);
        return similar is null
            ? Problems.Create(StatusCodes.Status404NotFound, "Unknown item", $"The served model does not know item '{itemId}'.")
            : TypedResults.Json(similar, RecommenderJsonContext.Default.SimilarItemsResponse);
    }
}
