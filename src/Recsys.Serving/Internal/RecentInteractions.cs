using Microsoft.Extensions.Caching.Memory;
using Recsys.Data;

namespace Recsys.Serving;

/// <summary>
/// A user's stored interactions, read through a short-lived cache: the items they have seen (excluded from their
/// lists) and the latest value of each (folded in by models that support it). While the interaction store is down,
/// the last answer read and what this replica stored since serve instead.
/// </summary>
internal sealed class RecentInteractions(IInteractionStore store, IMemoryCache cache, DependencyHealth health)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KeptForOutages = TimeSpan.FromHours(1);

    public async ValueTask<UserHistory> GetAsync(string userId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(FreshKey(userId), out UserHistory? history) && history is not null)
        {
            return history;
        }

        var call = await health.CallAsync(DependencyHealth.InteractionStore, ct => store.GetUserInteractionsAsync(userId, ct), gated: true, cancellationToken).ConfigureAwait(false);
        if (call.Answered)
        {
            history = UserHistory.Of(call.Value!.Select(i => KeyValuePair.Create(i.ItemId, i.Value)));
            cache.Set(FreshKey(userId), history, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Freshness, Size = 1 + history.Count });
            cache.Set(KnownKey(userId), history, new MemoryCacheEntryOptions { SlidingExpiration = KeptForOutages, Size = 1 + history.Count });
            return history;
        }

        health.Fallback(DependencyHealth.InteractionStore);
        var known = cache.Get<UserHistory>(KnownKey(userId));
        var local = cache.Get<List<KeyValuePair<string, float>>>(LocalKey(userId));
        if (local is null)
        {
            return known ?? UserHistory.Empty;
        }

        lock (local)
        {
            return UserHistory.Of((known?.Interactions ?? []).Concat(local));
        }
    }

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
                return new List<KeyValuePair<string, float>>();
            })!;
            lock (local)
            {
                local.AddRange(group.Select(i => KeyValuePair.Create(i.ItemId, i.Value)));
            }
        }
    }

    private static string FreshKey(string userId) => "recsys:recent:" + userId;

    private static string KnownKey(string userId) => "recsys:known:" + userId;

    private static string LocalKey(string userId) => "recsys:local:" + userId;
}

/// <summary>A user's stored interactions: the latest value of each item, in the order first stored.</summary>
internal sealed class UserHistory
{
    private UserHistory(List<KeyValuePair<string, float>> interactions, HashSet<string> items, ulong fingerprint)
    {
        Interactions = interactions;
        Items = items;
        Fingerprint = fingerprint;
    }

    public static UserHistory Empty { get; } = new([], new HashSet<string>(StringComparer.Ordinal), 0);

    /// <summary>Gets each item once, with its latest value.</summary>
    public IReadOnlyList<KeyValuePair<string, float>> Interactions { get; }

    /// <summary>Gets the items.</summary>
    public IReadOnlySet<string> Items { get; }

    /// <summary>Gets how many items there are.</summary>
    public int Count => Interactions.Count;

    /// <summary>Gets a hash of the items and values (FNV-1a), for cache keys: another interaction or value gives another key.</summary>
    public ulong Fingerprint { get; }

    public static UserHistory Of(IEnumerable<KeyValuePair<string, float>> stored)
    {
        var at = new Dictionary<string, int>(StringComparer.Ordinal);
        var list = new List<KeyValuePair<string, float>>();
        foreach (var interaction in stored)
        {
            if (at.TryGetValue(interaction.Key, out var index))
            {
                list[index] = interaction; // the latest value wins
            }
            else
            {
                at[interaction.Key] = list.Count;
                list.Add(interaction);
            }
        }

        var hash = 14695981039346656037UL;
        foreach (var (item, value) in list)
        {
            foreach (var c in item)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            hash = (hash ^ (uint)BitConverter.SingleToInt32Bits(value)) * 1099511628211UL;
        }

        return new UserHistory(list, [.. at.Keys], hash);
    }
}
