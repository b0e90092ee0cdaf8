using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Serving;

/// <summary>
/// Produces recommendation lists: validates the query, picks the model (A/B arm or requested algorithm), applies
/// filters, falls back to popularity for unknown users and caches by model version. HTTP and in-process callers share it.
/// </summary>
internal sealed class RecommendationService(
    ModelProvider provider,
    [FromKeyedServices(RecsysServiceKeys.Cache)] HybridCache cache,
    RecentInteractions recent,
    IInteractionStore store,
    DependencyHealth health,
    RecommenderMetrics metrics,
    IOptions<RecommenderOptions> options,
    IServiceProvider services) : IRecommendationService
{
    // Only UseDistributedCache gives Recsys a second level; without it every entry stays in memory, so HybridCache never
    // falls back to the host's own IDistributedCache.
    private static HybridCacheEntryFlags SecondLevel(IServiceProvider services) =>
        services.GetKeyedService<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(RecsysServiceKeys.Cache) is null ? HybridCacheEntryFlags.DisableDistributedCache : HybridCacheEntryFlags.None;

    /// <summary>The most entries a list in a query (genres, excluded items) or an interaction batch may have.</summary>
    internal const int MaxListEntries = 1_000;

    private readonly RecommenderOptions _options = options.Value;
    private readonly HybridCacheEntryOptions _entryOptions = new() { Expiration = options.Value.CacheDuration, LocalCacheExpiration = options.Value.CacheDuration, Flags = SecondLevel(services) };

    // The host's warm-up goes through the cache like traffic (its code is part of the hot path), under keys of its own
    // that live a second: it never fills or reads a real user's entry.
    private readonly HybridCacheEntryOptions _warmUpEntryOptions = new() { Expiration = TimeSpan.FromSeconds(1), LocalCacheExpiration = TimeSpan.FromSeconds(1), Flags = SecondLevel(services) };

    public Task WaitUntilStartedAsync(CancellationToken cancellationToken = default) => provider.Started.WaitAsync(cancellationToken);

    public async ValueTask<RecommendationResponse> RecommendAsync(RecommendationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var count = Validate(query);
        using var activity = Telemetry.Source.StartActivity("recsys.recommend");
        var started = Stopwatch.GetTimestamp();
        var variant = query.Algorithm is null ? PickVariant(query.UserId) : null;
        var algorithm = query.Algorithm ?? variant;
        var model = await provider.GetAsync(algorithm, cancellationToken).ConfigureAwait(false)
            ?? throw new ModelUnavailableException(algorithm is null ? provider.Unavailable : $"No version of '{algorithm}' is loaded.");
        CheckGenres(model, query);
        // The user's stored interactions: excluded when asked, and folded in by models that support it.
        var seen = await recent.GetAsync(query.UserId, cancellationToken).ConfigureAwait(false);

        var state = new Computation(model, query, count, seen);
        CachedRecommendations result;
        var warmUp = WarmUpScope.Active;
        if (_options.CacheDuration > TimeSpan.Zero)
        {
            result = await cache.GetOrCreateAsync(
                warmUp ? "warm-up:" + CacheKey(model, query, count, seen) : CacheKey(model, query, count, seen),
                state,
                static (s, _) => ValueTask.FromResult(s.Run()),
                warmUp ? _warmUpEntryOptions : _entryOptions,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            result = state.Run();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        // A request through an alias (asked for, or the user's A/B arm) is counted under the model with the alias named.
        var alias = algorithm is not null && model.Version.ModelName == _options.ModelName ? algorithm : null;
        if (!warmUp)
        {
            metrics.Served(model, alias, result.Fallback, !state.Ran, elapsed);
        }

        activity?.SetTag(RecsysTelemetry.ModelName, model.Version.ModelName);
        activity?.SetTag(RecsysTelemetry.ModelVersion, model.Version.Version);
        activity?.SetTag(RecsysTelemetry.ModelAlias, alias);
        activity?.SetTag(RecsysTelemetry.CacheHit, !state.Ran);
        return new RecommendationResponse(
            query.UserId,
            result.Items,
            new ModelInfo(model.Version.ModelName, model.Version.Version),
            result.Fallback == "popularity" ? "popularity" : model.Model.Algorithm,
            result.Fallback,
            variant,
            elapsed.TotalMilliseconds,
            !state.Ran);
    }

    public async ValueTask<SimilarItemsResponse?> SimilarItemsAsync(string itemId, int? count = null, CancellationToken cancellationToken = default)
    {
        CheckId("item_id", itemId);
        var n = CheckCount(count);
        using var activity = Telemetry.Source.StartActivity("recsys.similar_items");
        var started = Stopwatch.GetTimestamp();
        var model = await provider.GetAsync(null, cancellationToken).ConfigureAwait(false) ?? throw new ModelUnavailableException(provider.Unavailable);
        if (model.Similarity is null)
        {
            throw new InvalidQueryException($"The served model ({model.Model.Algorithm}) has no item similarity.");
        }

        if (!model.Model.Items.TryGetIndex(itemId, out var item))
        {
            return null;
        }

        var buffer = new ScoredItem[n];
        var found = model.Similarity.SimilarItems(item, buffer);
        return new SimilarItemsResponse(itemId, ToItems(model, buffer.AsSpan(0, found)), new ModelInfo(model.Version.ModelName, model.Version.Version), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task AddInteractionsAsync(IReadOnlyList<Interaction> interactions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        if (interactions.Count is 0 or > MaxListEntries)
        {
            throw new InvalidQueryException($"Send between 1 and {MaxListEntries} interactions; {interactions.Count} were sent.");
        }

        var scale = CurrentRatingScale();
        for (var k = 0; k < interactions.Count; k++)
        {
            var row = interactions[k];
            CheckId($"[{k}].user_id", row.UserId);
            CheckId($"[{k}].item_id", row.ItemId);
            if (!float.IsFinite(row.Value))
            {
                throw new InvalidQueryException($"[{k}].rating must be a finite number.");
            }

            if (scale is not null && !scale.Value.Scale.Contains(row.Value))
            {
                throw new InvalidQueryException(string.Create(CultureInfo.InvariantCulture, $"[{k}].rating {row.Value} is outside the rating scale {scale.Value.Scale} ({scale.Value.Origin})."));
            }

            if (row.Timestamp < 0)
            {
                throw new InvalidQueryException($"[{k}].timestamp must be seconds since 1970 (not negative).");
            }

            if (row.Kind is { } kind && (kind.Length is 0 or > 64 || kind.Any(char.IsControl)))
            {
                throw new InvalidQueryException($"[{k}].interaction_type must be 1 to 64 characters without control characters (for example view, click, rating, purchase).");
            }
        }

        return recent.AppendAsync(interactions, cancellationToken);
    }

    /// <summary>The scale ratings are checked against and where it comes from; null when only finiteness is checked.</summary>
    internal (RatingScale Scale, string Origin)? CurrentRatingScale()
    {
        var model = provider.Current?.Model;
        if (_options.RatingScale is { } configured)
        {
            return (configured, "Recsys:RatingScale");
        }

        return model is ITrainingHistory { ValueRange: { } range } && range.Min < range.Max
            ? (range, "the scale of the served model's data; Recsys:RatingScale sets another")
            : null;
    }

    public Task<IReadOnlyList<Interaction>> GetUserInteractionsAsync(string userId, CancellationToken cancellationToken = default)
    {
        CheckId("user_id", userId);
        return store.GetUserInteractionsAsync(userId, cancellationToken);
    }

    public async Task<StatsResponse> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        var model = provider.Current;
        var count = await health.CallAsync(DependencyHealth.InteractionStore, store.CountAsync, gated: true, cancellationToken).ConfigureAwait(false);
        long? stored = count.Answered ? count.Value : null; // null while the interaction store is unavailable

        return new StatsResponse(
            model is null ? null : new ModelInfo(model.Version.ModelName, model.Version.Version),
            model?.Model.Algorithm,
            model?.Version.Stage.ToString(),
            model?.Version.Aliases ?? [],
            model?.LoadedAt,
            model?.Model.Users.Count ?? 0,
            model?.Model.Items.Count ?? 0,
            model?.Version.Metrics ?? new Dictionary<string, double>(),
            model?.Version.Lineage is { } lineage ? lineage with { DataSource = Redaction.Paths(lineage.DataSource) } : null, // anonymous: no paths of the machine
            stored,
            Redaction.Paths(provider.LastError)); // a load error may name a file: not its directory, for anonymous readers
    }

    public Task<IReadOnlyList<ReloadOutcome>> ReloadAsync(bool force = false, CancellationToken cancellationToken = default) =>
        provider.ReloadAsync(cancellationToken, force);

    /// <summary>Checks a query; returns its count.</summary>
    private int Validate(RecommendationQuery query)
    {
        CheckId("user_id", query.UserId);
        var count = CheckCount(query.Count);
        if (query.Algorithm is not null)
        {
            CheckId("algorithm", query.Algorithm);
        }

        if (query.MinScore is { } score && !float.IsFinite(score))
        {
            throw new InvalidQueryException("min_score must be a finite number.");
        }

        foreach (var (name, list) in new[] { ("include_genres", query.IncludeGenres), ("exclude_genres", query.ExcludeGenres), ("exclude_items", query.ExcludeItems) })
        {
            ArgumentNullException.ThrowIfNull(list, name);
            if (list.Count > MaxListEntries)
            {
                throw new InvalidQueryException($"filters.{name} has {list.Count} entries; at most {MaxListEntries} are accepted.");
            }

            foreach (var entry in list)
            {
                CheckId($"filters.{name}[]", entry);
            }
        }

        return count;
    }

    private int CheckCount(int? count)
    {
        if (count is { } n && (n < 1 || n > _options.MaxCount))
        {
            throw new InvalidQueryException($"num_recommendations must be between 1 and {_options.MaxCount}; it was {n}.");
        }

        return count ?? _options.DefaultCount;
    }

    /// <summary>Ids are opaque text: required, at most <see cref="RecommenderOptions.MaxIdLength"/> characters, no control characters.</summary>
    internal void CheckId(string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidQueryException($"{name} is required and must not be empty.");
        }

        if (value.Length > _options.MaxIdLength)
        {
            throw new InvalidQueryException($"{name} is {value.Length} characters long; at most {_options.MaxIdLength} are accepted.");
        }

        if (value.Any(char.IsControl))
        {
            throw new InvalidQueryException($"{name} must not contain control characters.");
        }
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

    private static string CacheKey(ServedModel model, RecommendationQuery query, int count, UserHistory seen)
    {
        var key = new StringBuilder("recsys:rec:").Append(model.Key).Append(':').Append(count).Append(':').Append(query.ExcludeSeen ? 1 : 0)
            .Append(':').Append(query.MinScore?.ToString("R", System.Globalization.CultureInfo.InvariantCulture))
            .Append(':').AppendJoin(',', query.IncludeGenres).Append(':').AppendJoin(',', query.ExcludeGenres)
            .Append(':').AppendJoin(',', query.ExcludeItems).Append(":s").Append(seen.Count).Append('-').Append(seen.Fingerprint.ToString("x16", System.Globalization.CultureInfo.InvariantCulture))
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
    private sealed class Computation(ServedModel model, RecommendationQuery query, int count, UserHistory seen)
    {
        public bool Ran { get; private set; }

        public CachedRecommendations Run()
        {
            Ran = true;
            var result = model.Model.Recommend(new Recsys.Recommenders.RecommendationRequest
            {
                UserId = query.UserId,
                Count = count,
                ExcludeSeen = query.ExcludeSeen,
                History = query.ExcludeSeen ? seen.Items : null,
                FoldIn = seen.Interactions,
                ExcludeItems = query.ExcludeItems,
                ItemPredicate = ItemMetadata.GenrePredicate(model.Attributes, query.IncludeGenres, query.ExcludeGenres),
                MinScore = query.MinScore,
            });
            var items = result.Items is ScoredItem[] array ? array : [.. result.Items];
            // A user the model does not know: a list folded in from their stored interactions, or the popularity ranking.
            var unknown = result.ColdStart || (result.FoldedIn && !model.Model.Users.Contains(query.UserId));
            return new CachedRecommendations(ToItems(model, items), !unknown ? null : result.FoldedIn ? "fold-in" : "popularity");
        }
    }
}
