using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Runs;
using Recsys.Serving;

namespace Recsys.AspNetCore;

/// <summary>Maps the recommender's HTTP endpoints (handlers by concern in the partial files beside this one).</summary>
public static partial class RecommenderEndpoints
{
    /// <summary>
    /// Maps the recommender's API under <paramref name="prefix"/>: <c>POST /recommendations</c>,
    /// <c>GET /users/{user_id}/recommendations</c>, <c>GET /items/{item_id}/similar</c>, <c>POST /interactions</c>,
    /// <c>GET /users/{user_id}/interactions</c>, <c>GET /stats</c> and the admin endpoints
    /// <c>POST /admin/reload-models</c>, <c>GET /runs</c>, <c>GET /runs/{run_id}</c>. Nothing else: starting a retraining
    /// run over HTTP is <see cref="MapRetraining"/> (opt-in, for a host that trains); health checks
    /// (<see cref="RecsysHealthChecks"/>), metrics and the OpenAPI document are mapped by the host if it wants them.
    /// Call <c>services.AddRecommender()</c> first.
    /// </summary>
    /// <param name="endpoints">The application's endpoint builder.</param>
    /// <param name="prefix">The route prefix, for example <c>/api</c>; empty (the default) maps at the root, as the original service did.</param>
    /// <returns>The group of the API endpoints, for further conventions (authorization, rate limiting).</returns>
    public static RouteGroupBuilder MapRecommender(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        // Checked without resolving anything: a missing backend is reported when the host starts.
        if (endpoints.ServiceProvider.GetService<IServiceProviderIsService>() is not { } registered
            || !registered.IsService(typeof(IRecommendationService)) || !registered.IsService(typeof(RecommenderHttpMarker)))
        {
            throw new InvalidOperationException("Call services.AddRecommender() before app.MapRecommender().");
        }

        var api = endpoints.MapGroup(prefix).AddEndpointFilter<ErrorFilter>().WithTags("Recsys");
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
        var admin = api.MapGroup("").AddEndpointFilter<AdminKeyFilter>().WithMetadata(AdminOnly.Instance);
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

        return api;
    }

    /// <summary>
    /// Maps <c>POST /models/retrain</c> (admin, like <c>/admin/*</c>: it needs <see cref="RecommenderHttpOptions.AdminApiKey"/>)
    /// under <paramref name="prefix"/>: starts a run of the host's retraining flow and answers 202 with the run's id and
    /// <c>Location: /runs/{run_id}</c>, or 409 while another run (of this or another replica) holds the model's lock.
    /// Opt-in and separate from <see cref="MapRecommender"/>, so a serving replica exposes no training: call it on the
    /// host that trains, after <c>services.AddRecommender()</c> and <c>services.AddRetraining(…)</c> (Recsys.Retraining).
    /// </summary>
    /// <param name="endpoints">The application's endpoint builder.</param>
    /// <param name="prefix">The route prefix; use the one given to <see cref="MapRecommender"/>.</param>
    /// <returns>The endpoint, for further conventions (authorization, rate limiting).</returns>
    /// <exception cref="InvalidOperationException">The recommender or the retraining flow is not registered.</exception>
    public static RouteHandlerBuilder MapRetraining(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var registered = endpoints.ServiceProvider.GetService<IServiceProviderIsService>();
        if (registered is null || !registered.IsService(typeof(RecommenderHttpMarker)))
        {
            throw new InvalidOperationException("Call services.AddRecommender() before app.MapRetraining(): the admin key is its setting.");
        }

        if (!registered.IsService(typeof(IRetrainingLauncher)))
        {
            throw new InvalidOperationException("Call services.AddRetraining(…) (package Recsys.Retraining) before app.MapRetraining(): without a retraining flow there is no run to start.");
        }

        return endpoints.MapGroup(prefix).AddEndpointFilter<ErrorFilter>().WithTags("Recsys")
            .AddEndpointFilter<AdminKeyFilter>().WithMetadata(AdminOnly.Instance)
            .MapPost("/models/retrain", RetrainAsync).WithName("Retrain").WithSummary("Start a retraining run (admin).")
            .Produces<RetrainAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>Maps GET, and HEAD to the same handler (the server sends no body for HEAD); only GET is described in OpenAPI.</summary>
    private static RouteHandlerBuilder MapGetAndHead(RouteGroupBuilder group, string pattern, Delegate handler)
    {
        group.MapMethods(pattern, [HttpMethods.Head], handler).ExcludeFromDescription();
        return group.MapGet(pattern, handler);
    }
}
