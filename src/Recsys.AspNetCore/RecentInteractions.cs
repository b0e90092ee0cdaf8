using Microsoft.Extensions.Caching.Memory;
using Recsys.Data;

namespace Recsys.AspNetCore;

/// <summary>
/// The items each user interacted with since the served model was trained, from the interaction store: written
/// through on <c>POST /interactions</c> (so this replica honours them at once) and re-read after 30 s (so other
/// replicas sharing the store catch up).
/// </summary>
internal sealed class RecentInteractions(IInteractionStore store, IMemoryCache cache)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);

    public async ValueTask<IReadOnlySet<string>> GetAsync(string userId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(Key(userId), out IReadOnlySet<string>? items) && items is not null)
        {
            return items;
        }

        var stored = await store.GetUserInteractionsAsync(userId, cancellationToken).ConfigureAwait(false);
        items = stored.Select(i => i.ItemId).ToHashSet(StringComparer.Ordinal);
        cache.Set(Key(userId), items, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Freshness, Size = 1 + items.Count });
        return items;
    }

    public async Task AppendAsync(IReadOnlyList<Interaction> interactions, CancellationToken cancellationToken)
    {
        await store.AppendAsync(interactions, cancellationToken).ConfigureAwait(false);
        foreach (var user in interactions.Select(i => i.UserId).Distinct(StringComparer.Ordinal))
        {
            cache.Remove(Key(user));
        }
    }

    private static string Key(string userId) => "recsys:recent:" + userId;
}
