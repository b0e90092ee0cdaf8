using Recsys.Data;

namespace Recsys.Serving;

/// <summary>
/// Recommendations in-process: the same lists, filters, cold-start fallbacks, caching and version information as the
/// HTTP endpoints (which are a thin layer over this service). Registered by <c>AddServing()</c>; the models load in a
/// hosted service, so start the host (or await <see cref="WaitUntilStartedAsync"/>) before the first request.
/// </summary>
public interface IRecommendationService
{
    /// <summary>Completes when the first load of the served models (and a bootstrap, if one is configured) has finished.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task.</returns>
    Task WaitUntilStartedAsync(CancellationToken cancellationToken = default);

    /// <summary>The top-N items for a user.</summary>
    /// <param name="query">The query.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The list and the version that produced it.</returns>
    /// <exception cref="InvalidQueryException">The query is invalid; the message names the field.</exception>
    /// <exception cref="UnknownAlgorithmException">The algorithm names no alias or model.</exception>
    /// <exception cref="ModelUnavailableException">No model is loaded yet.</exception>
    ValueTask<RecommendationResponse> RecommendAsync(RecommendationQuery query, CancellationToken cancellationToken = default);

    /// <summary>The items most similar to an item, or null when the served model does not know it.</summary>
    /// <param name="itemId">The item.</param>
    /// <param name="count">How many; <see langword="null"/> for <see cref="RecommenderOptions.DefaultCount"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The list, or null.</returns>
    /// <exception cref="InvalidQueryException">The id or count is invalid, or the served model has no item similarity.</exception>
    /// <exception cref="ModelUnavailableException">No model is loaded yet.</exception>
    ValueTask<SimilarItemsResponse?> SimilarItemsAsync(string itemId, int? count = null, CancellationToken cancellationToken = default);

    /// <summary>Stores interactions (all or none); they are left out of the user's recommendations at once and trained on by the next retraining run.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task.</returns>
    /// <exception cref="InvalidQueryException">An interaction is invalid; the message names which and why.</exception>
    /// <exception cref="InteractionStoreUnavailableException">The store cannot be reached; nothing was stored.</exception>
    Task AddInteractionsAsync(IReadOnlyList<Interaction> interactions, CancellationToken cancellationToken = default);

    /// <summary>The interactions stored for a user, oldest first.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The interactions.</returns>
    Task<IReadOnlyList<Interaction>> GetUserInteractionsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>The served model, its registry metrics and lineage, and counts.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The status.</returns>
    Task<StatsResponse> GetStatsAsync(CancellationToken cancellationToken = default);

    /// <summary>Re-resolves the served targets in the registry and swaps in new versions now.</summary>
    /// <param name="force">Reads, verifies and swaps in unchanged versions too.</param>
    /// <param name="cancellationToken">Cancels the reload.</param>
    /// <returns>What changed or failed, per target (a failed target keeps serving its previous version).</returns>
    Task<IReadOnlyList<ReloadOutcome>> ReloadAsync(bool force = false, CancellationToken cancellationToken = default);
}
