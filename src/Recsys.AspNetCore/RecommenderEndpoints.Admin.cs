using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Recsys.Retraining;
using Recsys.Runs;
using Recsys.Serving;

namespace Recsys.AspNetCore;

/// <summary>Stats and the admin endpoints: retraining (<see cref="MapRetraining"/>), runs, reload.</summary>
public static partial class RecommenderEndpoints
{
    private static async Task<IResult> GetStatsAsync(IRecommendationService service, CancellationToken cancellationToken) =>
        TypedResults.Json(await service.GetStatsAsync(cancellationToken).ConfigureAwait(false), RecommenderJsonContext.Default.StatsResponse);

    private static async Task<IResult> RetrainAsync(HttpContext context, IRetrainingLauncher retraining, IHostApplicationLifetime lifetime)
    {
        try
        {
            // The run outlives the request: it stops with the application, not with the HTTP call.
            var (runId, _) = await retraining.StartAsync("api", lifetime.ApplicationStopping).ConfigureAwait(false);
            context.Response.Headers.Location = $"/runs/{runId}";
            return TypedResults.Json(new RetrainAccepted(runId, $"/runs/{runId}"), RecommenderJsonContext.Default.RetrainAccepted, statusCode: StatusCodes.Status202Accepted);
        }
        catch (RunInProgressException e)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "A run is in progress", e.Message);
        }
    }

    private static async Task<IResult> ListRunsAsync(HttpContext context, IRunStore runs, IOptions<RecommenderOptions> options)
    {
        if (!TryParse(context.Request.Query, "take", int.TryParse, out int? take, out var error))
        {
            return error!;
        }

        if (take is < 1 or > 1000)
        {
            return Problems.BadRequest($"take must be between 1 and 1000; it was {take}.");
        }

        var model = context.Request.Query["model"].ToString() is { Length: > 0 } m ? m : options.Value.ModelName;
        var list = await runs.ListRunsAsync(model, take ?? 20, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(list, RecommenderJsonContext.Default.IReadOnlyListRetrainingRun);
    }

    private static async Task<IResult> GetRunAsync(string runId, IRunStore runs, CancellationToken cancellationToken)
    {
        var run = runId.Length > 100 ? null : await runs.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        return run is null
            ? Problems.Create(StatusCodes.Status404NotFound, "Unknown run", $"There is no run '{(runId.Length > 100 ? runId[..100] + "…" : runId)}'.")
            : TypedResults.Json(run, RecommenderJsonContext.Default.RetrainingRun);
    }

    private static async Task<IResult> ReloadAsync(HttpContext context, IRecommendationService service, CancellationToken cancellationToken)
    {
        if (!TryParse(context.Request.Query, "force", bool.TryParse, out bool? force, out var error))
        {
            return error!;
        }

        var outcomes = await service.ReloadAsync(force ?? false, cancellationToken).ConfigureAwait(false);
        var failed = outcomes.Where(o => o.Error is not null).ToList();
        if (failed.Count == 0)
        {
            return TypedResults.Json(new ReloadResponse(true, outcomes), RecommenderJsonContext.Default.ReloadResponse);
        }

        var detail = string.Join("; ", failed.Select(f => $"{f.Target}: {f.Error} (still serving version {f.PreviousVersion?.ToString(CultureInfo.InvariantCulture) ?? "none"})"));
        // The same snake_case fields as the 200 answer.
        var targets = outcomes.Select(o => new Dictionary<string, object?>
        {
            ["target"] = o.Target,
            ["previous_version"] = o.PreviousVersion,
            ["version"] = o.Version,
            ["error"] = o.Error,
        }).ToList();
        return Problems.Create(StatusCodes.Status500InternalServerError, "Model reload failed", detail, new Dictionary<string, object?> { ["targets"] = targets });
    }
}
