using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.AspNetCore;

/// <summary>A request that passed validation.</summary>
internal sealed record RecommendationQuery(
    string UserId,
    int Count,
    bool ExcludeSeen,
    string? Algorithm,
    IReadOnlyList<string> IncludeGenres,
    IReadOnlyList<string> ExcludeGenres,
    IReadOnlyList<string> ExcludeItems,
    float? MinScore);

/// <summary>Input that is well-formed but cannot be served (unknown genre, genre filter without metadata).</summary>
internal sealed class InvalidQueryException(string message) : Exception(message);

/// <summary>No model is loaded for the request.</summary>
internal sealed class ModelUnavailableException(string message) : Exception(message);

/// <summary>What is cached per (model version, user, request).</summary>
/// <remarks>
/// Sealed and marked immutable, so HybridCache hands out the cached instance itself on a local hit instead of
/// deserializing a copy per request; nothing mutates it (nor its items) after it is built.
/// </remarks>
[ImmutableObject(true)]
internal sealed record CachedRecommendations(RecommendationItem[] Items, string? Fallback);

/// <summary>Produces recommendation lists: picks the model (A/B arm or requested algorithm), applies filters, falls back to popularity for unknown users, caches by model version.</summary>
internal sealed class RecommendationService(
    ModelProvider provider,
    HybridCache cache,
    RecentInteractions recent,
    RecommenderMetrics metrics,
    IOptions<RecommenderOptions> options)
{
    private readonly RecommenderOptions _options = options.Value;
    private readonly HybridCacheEntryOptions _entryOptions = new() { Expiration = options.Value.CacheDuration, LocalCacheExpiration = options.Value.CacheDuration };

    public async Task<RecommendationResponse> RecommendAsync(RecommendationQuery query, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var variant = query.Algorithm is null ? PickVariant(query.UserId) : null;
        var algorithm = query.Algorithm ?? variant;
        var model = await provider.GetAsync(algorithm, cancellationToken).ConfigureAwait(false)
            ?? throw new ModelUnavailableException(algorithm is null ? "No model is loaded yet." : $"No version of '{algorithm}' is loaded.");
        CheckGenres(model, query);
        var seen = query.ExcludeSeen ? await recent.GetAsync(query.UserId, cancellationToken).ConfigureAwait(false) : null;

        var state = new Computation(model, query, seen);
        CachedRecommendations result;
        if (_options.CacheDuration > TimeSpan.Zero)
        {
            result = await cache.GetOrCreateAsync(
                CacheKey(model, query, seen),
                state,
                static (s, _) => ValueTask.FromResult(s.Run()),
                _entryOptions,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            result = state.Run();
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        metrics.Served(model.Version.ModelName, variant, result.Fallback, !state.Ran, elapsed);
        return new RecommendationResponse(
            query.UserId,
            result.Items,
            new ModelInfo(model.Version.ModelName, model.Version.Version),
            result.Fallback ?? model.Model.Algorithm,
            result.Fallback,
            variant,
            elapsed,
            !state.Ran);
    }

    public async Task<SimilarItemsResponse?> SimilarAsync(string itemId, int count, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var model = await provider.GetAsync(null, cancellationToken).ConfigureAwait(false) ?? throw new ModelUnavailableException("No model is loaded yet.");
        if (model.Similarity is null)
        {
            throw new InvalidQueryException($"The served model ({model.Model.Algorithm}) has no item similarity.");
        }

        if (!model.Model.Items.TryGetIndex(itemId, out var item))
        {
            return null;
        }

        var buffer = new ScoredItem[count];
        var n = model.Similarity.SimilarItems(item, buffer);
        return new SimilarItemsResponse(itemId, ToItems(model, buffer.AsSpan(0, n)), new ModelInfo(model.Version.ModelName, model.Version.Version), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>The A/B arm of a user: a stable hash of the id picks an arm in proportion to the weights.</summary>
    internal string? PickVariant(string userId)
    {
        if (_options.Experiment.Count == 0)
        {
            return null;
        }

        var total = _options.Experiment.Sum(v => v.Weight);
        var bucket = (int)(StableHash(userId) % (uint)total);
        foreach (var arm in _options.Experiment)
        {
            if (bucket < arm.Weight)
            {
                return arm.Alias;
            }

            bucket -= arm.Weight;
        }

        return _options.Experiment[^1].Alias;
    }

    /// <summary>FNV-1a over the UTF-16 code units: the same on every machine and process, unlike string.GetHashCode.</summary>
    internal static uint StableHash(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    private static void CheckGenres(ServedModel model, RecommendationQuery query)
    {
        if (query.IncludeGenres.Count == 0 && query.ExcludeGenres.Count == 0)
        {
            return;
        }

        if (!model.HasMetadata)
        {
            throw new InvalidQueryException("Genre filters need item metadata, and the served model has none (set Recsys:MoviesPath or train with --movies).");
        }
    }

    private static string CacheKey(ServedModel model, RecommendationQuery query, IReadOnlySet<string>? seen)
    {
        var key = new StringBuilder("recsys:rec:").Append(model.Key).Append(':').Append(query.Count).Append(':').Append(query.ExcludeSeen ? 1 : 0)
            .Append(':').Append(query.MinScore?.ToString("R", System.Globalization.CultureInfo.InvariantCulture))
            .Append(':').AppendJoin(',', query.IncludeGenres).Append(':').AppendJoin(',', query.ExcludeGenres)
            .Append(':').AppendJoin(',', query.ExcludeItems).Append(":s").Append(seen?.Count ?? 0)
            .Append(':').Append(query.UserId);
        return key.ToString();
    }

    internal static RecommendationItem[] ToItems(ServedModel model, ReadOnlySpan<ScoredItem> items)
    {
        var result = new RecommendationItem[items.Length];
        for (var k = 0; k < items.Length; k++)
        {
            result[k] = new RecommendationItem(model.Model.Items[items[k].Item], items[k].Score, model.Attributes[items[k].Item]?.Title);
        }

        return result;
    }

    /// <summary>The work behind one cache miss: the library's one top-N code path (the CLI's too).</summary>
    private sealed class Computation(ServedModel model, RecommendationQuery query, IReadOnlySet<string>? seen)
    {
        public bool Ran { get; private set; }

        public CachedRecommendations Run()
        {
            Ran = true;
            var result = model.Model.Recommend(new Recsys.Recommenders.RecommendationRequest
            {
                UserId = query.UserId,
                Count = query.Count,
                ExcludeSeen = query.ExcludeSeen,
                History = seen,
                ExcludeItems = query.ExcludeItems,
                ItemPredicate = ItemMetadata.GenrePredicate(model.Attributes, query.IncludeGenres, query.ExcludeGenres),
                MinScore = query.MinScore,
            });
            var items = result.Items is ScoredItem[] array ? array : [.. result.Items];
            return new CachedRecommendations(ToItems(model, items), result.ColdStart ? "popularity" : null);
        }
    }
}
