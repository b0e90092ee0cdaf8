using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace Recsys.Serving;

/// <summary>
/// Wraps the second-level (Redis) cache so that its failures cost a miss, not a failed request: every error is
/// logged and counted (<c>recsys.cache.distributed_errors</c>), and after one the cache is bypassed for a few seconds
/// rather than waited on by every request while Redis is down.
/// </summary>
internal sealed class ResilientDistributedCache(IDistributedCache inner, RecommenderMetrics metrics, ILogger<ResilientDistributedCache> logger, TimeProvider time) : IDistributedCache
{
    private static readonly TimeSpan OpenFor = TimeSpan.FromSeconds(5);
    private long _closedAfterTicks;

    public byte[]? Get(string key) => Guard(() => inner.Get(key), null);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => GuardAsync(() => inner.GetAsync(key, token), null);

    public void Refresh(string key) => Guard(() => { inner.Refresh(key); return true; }, false);

    public Task RefreshAsync(string key, CancellationToken token = default) => GuardAsync(async () => { await inner.RefreshAsync(key, token).ConfigureAwait(false); return true; }, false);

    public void Remove(string key) => Guard(() => { inner.Remove(key); return true; }, false);

    public Task RemoveAsync(string key, CancellationToken token = default) => GuardAsync(async () => { await inner.RemoveAsync(key, token).ConfigureAwait(false); return true; }, false);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Guard(() => { inner.Set(key, value, options); return true; }, false);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        GuardAsync(async () => { await inner.SetAsync(key, value, options, token).ConfigureAwait(false); return true; }, false);

    private bool Bypassed => time.GetUtcNow().UtcTicks < Interlocked.Read(ref _closedAfterTicks);

    private T Guard<T>(Func<T> action, T fallback)
    {
        if (Bypassed)
        {
            return fallback;
        }

        try
        {
            return action();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Trip(e);
            return fallback;
        }
    }

    private async Task<T> GuardAsync<T>(Func<Task<T>> action, T fallback)
    {
        if (Bypassed)
        {
            return fallback;
        }

        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Trip(e);
            return fallback;
        }
    }

    private void Trip(Exception e)
    {
        metrics.DistributedCacheError();
        Interlocked.Exchange(ref _closedAfterTicks, (time.GetUtcNow() + OpenFor).UtcTicks);
        Log.DistributedCacheFailed(logger, e, OpenFor.TotalSeconds);
    }
}
