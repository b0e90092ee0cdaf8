using Microsoft.Extensions.Caching.Memory;
using Recsys.Data;

namespace Recsys.Serving;

/// <summary>
/// The items each user interacted with that the served model may not have learned, from the interaction store:
/// written through on <c>POST /interactions</c> (so this replica honours them at once) and re-read after 30 s (so
/// other replicas sharing the store catch up). While the store is unavailable, a request gets what this replica
/// has (the user's last read history and what it stored through this replica), counted as a fallback, never an error.
/// </summary>
internal sealed class RecentInteractions(IInteractionStore store, IMemoryCache cache, DependencyHealth health)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KeptForOutages = TimeSpan.FromHours(1);

    public async ValueTask<IReadOnlySet<string>> GetAsync(string userId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(FreshKey(userId), out IReadOnlySet<string>? items) && items is not null)
        {
            return items;
        }

        var call = await health.CallAsync(DependencyHealth.InteractionStore, ct => store.GetUserInteractionsAsync(userId, ct), gated: true, cancellationToken).ConfigureAwait(false);
        if (call.Answered)
        {
            items = call.Value!.Select(i => i.ItemId).ToHashSet(StringComparer.Ordinal);
            cache.Set(FreshKey(userId), items, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Freshness, Size = 1 + items.Count });
            cache.Set(KnownKey(userId), items, new MemoryCacheEntryOptions { SlidingExpiration = KeptForOutages, Size = 1 + items.Count });
            return items;
        }

        health.Fallback(DependencyHealth.InteractionStore);
        var known = cache.Get<IReadOnlySet<string>>(KnownKey(userId));
        var local = cache.Get<HashSet<string>>(LocalKey(userId));
        if (local is null)
        {
            return known ?? EmptySet;
        }

        lock (local)
        {
            var merged = new HashSet<string>(local, StringComparer.Ordinal);
            merged.UnionWith(known ?? EmptySet);
            return merged;
        }
    }

    /// <summary>Stores interactions; a store outage is an <see cref="InteractionStoreUnavailableException"/> (nothing was stored).</summary>
    public async Task AppendAsync(IReadOnlyList<Interaction> interactions, CancellationToken cancellationToken)
    {
        var call = await health.CallAsync(
            DependencyHealth.InteractionStore,
            async ct =>
            {
                await store.AppendAsync(interactions, ct).ConfigureAwait(false);
                return true;
            },
            gated: false,
            cancellationToken).ConfigureAwait(false);
        if (call.Error is { } e)
        {
            throw new InteractionStoreUnavailableException($"The interaction store is unavailable ({e.Message}); nothing was stored, retry later.", e);
        }

        foreach (var group in interactions.GroupBy(i => i.UserId, StringComparer.Ordinal))
        {
            cache.Remove(FreshKey(group.Key));
            var local = cache.GetOrCreate(LocalKey(group.Key), entry =>
            {
                entry.SlidingExpiration = KeptForOutages;
                entry.Size = 1;
                return new HashSet<string>(StringComparer.Ordinal);
            })!;
            lock (local)
            {
                local.UnionWith(group.Select(i => i.ItemId));
            }
        }
    }

    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();

    private static string FreshKey(string userId) => "recsys:recent:" + userId;

    private static string KnownKey(string userId) => "recsys:known:" + userId;

    private static string LocalKey(string userId) => "recsys:local:" + userId;
}
