using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Data;
using Recsys.Registry;
using Recsys.Retraining;
using Recsys.Runs;

namespace Recsys.AspNetCore;

/// <summary>Maps the recommender's HTTP endpoints.</summary>
public static class RecommenderEndpoints
{
    private const int MaxListEntries = 1_000;

    /// <summary>
    /// Maps <c>POST /recommendations</c>, <c>GET /users/{user_id}/recommendations</c>, <c>GET /items/{item_id}/similar</c>,
    /// <c>POST /interactions</c>, <c>GET /stats</c>, <c>POST /models/retrain</c>, <c>POST /admin/reload-models</c>, the
    /// health checks (<c>/health</c>, <c>/health/live</c>, <c>/health/ready</c>), <c>/metrics</c> (Prometheus) and the
    /// OpenAPI document (<c>/openapi/recsys.json</c>). Call <c>services.AddRecommender()</c> first.
    /// </summary>
    /// <param name="endpoints">The application's endpoint builder.</param>
    /// <returns>The group of the API endpoints, for further conventions (authorization, rate limiting).</returns>
    public static RouteGroupBuilder MapRecommender(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<RecommendationService>() is null)
        {
            throw new InvalidOperationException("Call services.AddRecommender() before app.MapRecommender().");
        }

        var api = endpoints.MapGroup("").AddEndpointFilter<ErrorFilter>().WithTags("Recsys");
        var count = new ParameterMetadata("num_recommendations", typeof(int), "How many items (1 to MaxCount, default DefaultCount).");
        var algorithm = new ParameterMetadata("algorithm", typeof(string), "An alias of the served model or another registered model's name (for example svd, nmf, hybrid).");
        api.MapPost("/recommendations", PostRecommendationsAsync).WithName("Recommend").WithSummary("Top-N recommendations for a user (JSON body).")
            .Accepts<RecommendationRequest>("application/json")
            .Produces<RecommendationResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        MapGetAndHead(api, "/users/{user_id}/recommendations", GetRecommendationsAsync).WithName("RecommendForUser").WithSummary("Top-N recommendations for a user (query parameters).")
            .Parameters(
                new("user_id", typeof(string), "The user id.", InPath: true),
                count,
                new("exclude_seen", typeof(bool), "Leave out the user's whole history (default true)."),
                algorithm,
                new("include_genres", typeof(string[]), "Genres of which an item must have one."),
                new("exclude_genres", typeof(string[]), "Genres an item must not have."),
                new("exclude_items", typeof(string[]), "Item ids that must not be returned."),
                new("min_score", typeof(float), "The lowest score an item may have."))
            .Produces<RecommendationResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        MapGetAndHead(api, "/items/{item_id}/similar", GetSimilarAsync).WithName("SimilarItems").WithSummary("Items similar to an item.")
            .Parameters(new("item_id", typeof(string), "The item id.", InPath: true), count)
            .Produces<SimilarItemsResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/interactions", PostInteractionsAsync).WithName("AddInteractions")
            .WithSummary("Store interactions (one object or an array); without rating an interaction's value is 1.")
            .Accepts<List<InteractionRequest>>("application/json")
            .Produces<InteractionsAccepted>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        MapGetAndHead(api, "/users/{user_id}/interactions", GetInteractionsAsync).WithName("UserInteractions").WithSummary("The interactions stored for a user (through POST /interactions), oldest first.")
            .Parameters(new ParameterMetadata("user_id", typeof(string), "The user id.", InPath: true))
            .Produces<UserInteractionsResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        MapGetAndHead(api, "/stats", GetStatsAsync).WithName("Stats").WithSummary("The served model, its registry metrics and lineage, and counts.")
            .Produces<StatsResponse>(StatusCodes.Status200OK);
        var admin = api.MapGroup("").AddEndpointFilter<AdminKeyFilter>();
        admin.MapPost("/models/retrain", RetrainAsync).WithName("Retrain").WithSummary("Start a retraining run (admin).")
            .Produces<RetrainAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapPost("/admin/reload-models", ReloadAsync).WithName("ReloadModels").WithSummary("Re-resolve and load the served models now; ?force=true reloads unchanged versions too (admin).")
            .Parameters(new ParameterMetadata("force", typeof(bool), "Reload unchanged versions too."))
            .Produces<ReloadResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status500InternalServerError);

        // The run history names worker hosts, process ids and file paths: admin only.
        MapGetAndHead(admin, "/runs", ListRunsAsync).WithName("Runs").WithSummary("Recent retraining runs of the served model (or ?model=), newest first (admin).")
            .Parameters(new ParameterMetadata("model", typeof(string), "Another model's runs."), new ParameterMetadata("take", typeof(int), "How many runs (1 to 1000, default 20)."))
            .Produces<IReadOnlyList<RetrainingRun>>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        MapGetAndHead(admin, "/runs/{run_id}", (string run_id, IRunStore runs, CancellationToken ct) => GetRunAsync(run_id, runs, ct)).WithName("Run").WithSummary("One retraining run with its steps (admin).")
            .Produces<RetrainingRun>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ModelLoadedHealthCheck.ReadyTag) });
        endpoints.MapHealthChecks("/health");
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        endpoints.MapOpenApi("/openapi/{documentName}.json");
        return api;
    }

    private static async Task<IResult> PostRecommendationsAsync(HttpContext context, RecommendationService service, IOptions<RecommenderOptions> options)
    {
        var (body, error) = await ReadJsonAsync(context, RecommenderJsonContext.Default.RecommendationRequest, options.Value).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var filters = body!.Filters ?? new RecommendationFilters();
        return await RecommendAsync(
            service,
            options.Value,
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

    private static async Task<IResult> GetRecommendationsAsync(HttpContext context, RecommendationService service, IOptions<RecommenderOptions> options)
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
            options.Value,
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
        RecommendationService service,
        RecommenderOptions options,
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
        if (CheckId("user_id", userId, options) is { } badUser)
        {
            return badUser;
        }

        if (count is { } n && (n < 1 || n > options.MaxCount))
        {
            return Problems.BadRequest($"num_recommendations must be between 1 and {options.MaxCount}; it was {n}.");
        }

        if (algorithm is not null && CheckId("algorithm", algorithm, options) is { } badAlgorithm)
        {
            return badAlgorithm;
        }

        if (minScore is { } score && !float.IsFinite(score))
        {
            return Problems.BadRequest("min_score must be a finite number.");
        }

        foreach (var (name, list) in new[] { ("include_genres", includeGenres), ("exclude_genres", excludeGenres), ("exclude_items", excludeItems) })
        {
            if (list is null)
            {
                continue;
            }

            if (list.Count > MaxListEntries)
            {
                return Problems.BadRequest($"filters.{name} has {list.Count} entries; at most {MaxListEntries} are accepted.");
            }

            foreach (var entry in list)
            {
                if (CheckId($"filters.{name}[]", entry, options) is { } badEntry)
                {
                    return badEntry;
                }
            }
        }

        var response = await service.RecommendAsync(
            new RecommendationQuery(userId!, count ?? options.DefaultCount, excludeSeen ?? true, algorithm, includeGenres ?? [], excludeGenres ?? [], excludeItems ?? [], minScore),
            cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(response, RecommenderJsonContext.Default.RecommendationResponse);
    }

    private static async Task<IResult> GetSimilarAsync(HttpContext context, RecommendationService service, IOptions<RecommenderOptions> options)
    {
        var itemId = (string?)context.Request.RouteValues["item_id"];
        if (CheckId("item_id", itemId, options.Value) is { } bad)
        {
            return bad;
        }

        if (!TryParse(context.Request.Query, "num_recommendations", int.TryParse, out int? count, out var error))
        {
            return error!;
        }

        if (count is { } n && (n < 1 || n > options.Value.MaxCount))
        {
            return Problems.BadRequest($"num_recommendations must be between 1 and {options.Value.MaxCount}; it was {n}.");
        }

        var similar = await service.SimilarAsync(itemId!, count ?? options.Value.DefaultCount, context.RequestAborted).ConfigureAwait(false);
        return similar is null
            ? Problems.Create(StatusCodes.Status404NotFound, "Unknown item", $"The served model does not know item '{itemId}'.")
            : TypedResults.Json(similar, RecommenderJsonContext.Default.SimilarItemsResponse);
    }

    private static async Task<IResult> PostInteractionsAsync(HttpContext context, RecentInteractions recent, IOptions<RecommenderOptions> options, TimeProvider time)
    {
        var limits = options.Value;
        var (body, error) = await ReadJsonAsync(context, RecommenderJsonContext.Default.ListInteractionRequest, limits, acceptSingle: RecommenderJsonContext.Default.InteractionRequest).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (body!.Count is 0 or > MaxListEntries)
        {
            return Problems.BadRequest($"Send between 1 and {MaxListEntries} interactions; {body.Count} were sent.");
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var interactions = new List<Interaction>(body.Count);
        for (var k = 0; k < body.Count; k++)
        {
            var row = body[k];
            if (row is null)
            {
                return Problems.BadRequest($"[{k}]: an interaction must be an object.");
            }

            if ((CheckId($"[{k}].user_id", row.UserId, limits) ?? CheckId($"[{k}].item_id", row.ItemId, limits)) is { } bad)
            {
                return bad;
            }

            if (row.Rating is { } rating && !float.IsFinite(rating))
            {
                return Problems.BadRequest($"[{k}].rating must be a finite number.");
            }

            if (row.Timestamp is < 0)
            {
                return Problems.BadRequest($"[{k}].timestamp must be seconds since 1970 (not negative).");
            }

            if (row.InteractionType is { } kind && (kind.Length is 0 or > 64 || kind.Any(char.IsControl)))
            {
                return Problems.BadRequest($"[{k}].interaction_type must be 1 to 64 characters without control characters (for example view, click, rating, purchase).");
            }

            // Without a rating the interaction is an implicit signal of value 1.
            interactions.Add(new Interaction(row.UserId!, row.ItemId!, row.Rating ?? 1f, row.Timestamp ?? now) { Kind = row.InteractionType });
        }

        await recent.AppendAsync(interactions, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(new InteractionsAccepted(interactions.Count), RecommenderJsonContext.Default.InteractionsAccepted, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetInteractionsAsync(HttpContext context, IInteractionStore store, IOptions<RecommenderOptions> options)
    {
        var userId = (string?)context.Request.RouteValues["user_id"];
        if (CheckId("user_id", userId, options.Value) is { } bad)
        {
            return bad;
        }

        var stored = await store.GetUserInteractionsAsync(userId!, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(
            new UserInteractionsResponse(userId!, [.. stored.Select(i => new StoredInteraction(i.ItemId, i.Value, i.Timestamp, i.Kind))]),
            RecommenderJsonContext.Default.UserInteractionsResponse);
    }

    private static async Task<IResult> GetStatsAsync(ModelProvider provider, IInteractionStore store, DependencyHealth health, CancellationToken cancellationToken)
    {
        var model = provider.Current;
        long? stored = null; // null while the interaction store is unavailable
        if (health.ShouldTry(DependencyHealth.InteractionStore))
        {
            try
            {
                stored = await store.CountAsync(cancellationToken).ConfigureAwait(false);
                health.Succeeded(DependencyHealth.InteractionStore);
            }
            catch (Exception e) when (RecentInteractions.IsOutage(e, cancellationToken))
            {
                health.Failed(DependencyHealth.InteractionStore, e);
            }
        }

        var stats = new StatsResponse(
            model is null ? null : new ModelInfo(model.Version.ModelName, model.Version.Version),
            model?.Model.Algorithm,
            model?.Version.Stage.ToString(),
            model?.Version.Aliases ?? [],
            model?.LoadedAt,
            model?.Model.Users.Count ?? 0,
            model?.Model.Items.Count ?? 0,
            model?.Version.Metrics ?? new Dictionary<string, double>(),
            model?.Version.Lineage,
            stored,
            provider.LastError);
        return TypedResults.Json(stats, RecommenderJsonContext.Default.StatsResponse);
    }

    private static async Task<IResult> RetrainAsync(HttpContext context, IHostApplicationLifetime lifetime)
    {
        if (context.RequestServices.GetService<RetrainingService>() is not { } retraining)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Retraining is not available", "This host has no retraining flow configured (services.AddRetraining(…)), so no run was started.");
        }

        try
        {
            // The run outlives the request: it stops with the application, not with the HTTP call.
            var (runId, _) = await retraining.StartAsync("api", lifetime.ApplicationStopping).ConfigureAwait(false);
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

    private static async Task<IResult> ReloadAsync(HttpContext context, ModelProvider provider, CancellationToken cancellationToken)
    {
        if (!TryParse(context.Request.Query, "force", bool.TryParse, out bool? force, out var error))
        {
            return error!;
        }

        var outcomes = await provider.ReloadAsync(cancellationToken, force ?? false).ConfigureAwait(false);
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

    /// <summary>Maps GET, and HEAD to the same handler (the server sends no body for HEAD); only GET is described in OpenAPI.</summary>
    private static RouteHandlerBuilder MapGetAndHead(RouteGroupBuilder group, string pattern, Delegate handler)
    {
        group.MapMethods(pattern, [HttpMethods.Head], handler).ExcludeFromDescription();
        return group.MapGet(pattern, handler);
    }

    private static IResult? CheckId(string name, string? value, RecommenderOptions options)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Problems.BadRequest($"{name} is required and must not be empty.");
        }

        if (value.Length > options.MaxIdLength)
        {
            return Problems.BadRequest($"{name} is {value.Length} characters long; at most {options.MaxIdLength} are accepted.");
        }

        return value.Any(char.IsControl) ? Problems.BadRequest($"{name} must not contain control characters.") : null;
    }

    private delegate bool Parser<T>(string? text, out T value);

    private static bool TryParse<T>(IQueryCollection query, string name, Parser<T> parse, out T? value, out IResult? error)
        where T : struct
    {
        value = null;
        error = null;
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (parse(text, out var parsed))
        {
            value = parsed;
            return true;
        }

        error = Problems.BadRequest($"Query parameter {name} has the value '{(text.Length > 40 ? text[..40] + "…" : text)}', which is not a valid {typeof(T).Name.ToLowerInvariant()}.");
        return false;
    }

    private static List<string>? List(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values)
            ? [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))]
            : null;

    private static async Task<(T? Value, IResult? Error)> ReadJsonAsync<T>(HttpContext context, JsonTypeInfo<T> info, RecommenderOptions options, JsonTypeInfo<InteractionRequest>? acceptSingle = null)
        where T : class
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "JSON expected", "Send the body as JSON with Content-Type: application/json."));
        }

        if (request.ContentLength > options.MaxRequestBodyBytes)
        {
            return (null, TooLarge(options));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxRequestBodyBytes;
        }

        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            if (buffer.Length > options.MaxRequestBodyBytes)
            {
                return (null, TooLarge(options));
            }

            if (buffer.Length == 0)
            {
                return (null, Problems.BadRequest("The request body is empty; send a JSON object."));
            }

            var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            if (bytes.StartsWith("\uFEFF"u8))
            {
                bytes = bytes[3..]; // a UTF-8 byte-order mark, as some clients send
            }

            if (acceptSingle is not null && bytes.TrimStart(" \t\r\n"u8) is [(byte)'{', ..])
            {
                var single = JsonSerializer.Deserialize(bytes, acceptSingle);
                return (single is null ? null : (T)(object)new List<InteractionRequest> { single }, null);
            }

            var value = JsonSerializer.Deserialize(bytes, info);
            return value is null ? (null, Problems.BadRequest("The request body is JSON null; send a JSON object.")) : (value, null);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } path && !e.Message.Contains(path, StringComparison.Ordinal) ? $" (at {path})" : "";
            return (null, Problems.BadRequest($"The body is not valid JSON for this endpoint: {e.Message}{where}"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(options));
        }
    }

    private static IResult TooLarge(RecommenderOptions options) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The body is larger than {options.MaxRequestBodyBytes} bytes.");

    /// <summary>Turns the service's exceptions into problem details; anything unexpected is a 500 without internals.</summary>
    private sealed class ErrorFilter(ILogger<ErrorFilter> logger) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (ModelUnavailableException e)
            {
                context.HttpContext.Response.Headers.RetryAfter = "5";
                return Problems.Create(StatusCodes.Status503ServiceUnavailable, "No model to serve", e.Message);
            }
            catch (InteractionStoreUnavailableException e)
            {
                context.HttpContext.Response.Headers.RetryAfter = "5";
                return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Interaction store unavailable", e.Message);
            }
            catch (System.Data.Common.DbException e)
            {
                // A database outage on a path with nothing in memory to fall back on (for example loading a model first asked for now).
                Log.RequestFailed(logger, e, context.HttpContext.Request.Path);
                context.HttpContext.Response.Headers.RetryAfter = "5";
                return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Database unavailable", $"The registry database did not answer ({e.Message}); retry later.");
            }
            catch (Exception e) when (e is InvalidQueryException or UnknownAlgorithmException)
            {
                return Problems.BadRequest(e.Message);
            }
            catch (BadHttpRequestException e)
            {
                return Problems.Create(e.StatusCode, "Bad request", e.Message);
            }
            catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                return Results.Empty;
            }
            catch (Exception e) when (e is RegistryException or System.Data.Common.DbException or IOException or InvalidOperationException)
            {
                Log.RequestFailed(logger, e, context.HttpContext.Request.Path);
                return Problems.Create(StatusCodes.Status500InternalServerError, "Internal error", $"The request failed ({e.GetType().Name}); the server log has the details. Trace id: {context.HttpContext.TraceIdentifier}.");
            }
        }
    }
}
