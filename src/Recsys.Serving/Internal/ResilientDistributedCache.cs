using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace Recsys.Serving;

/// <summary>
/// Wraps the second-level (Redis) cache so that its failures cost a miss, not a failed or stalled request: every
/// asynchronous call is bounded by <see cref="RecommenderOptions.DistributedCacheTimeout"/> once the cache has answered
/// (a hung server answers nothing, and a request does not wait for its client's own timeout of a second or more; calls
/// before the first answer, which also connect, get 2 s), every error or timeout is
/// logged and counted (<c>recsys.cache.distributed_errors</c>) and reported to <c>/health</c> (Degraded, "the distributed
/// cache is unavailable"), and after one the cache is bypassed for a few seconds rather than waited on by every request.
/// </summary>
internal sealed class ResilientDistributedCache(IDistributedCache inner, RecommenderMetrics metrics, ILogger<ResilientDistributedCache> logger, TimeProvider time, DependencyHealth health, TimeSpan timeout) : IDistributedCache
{
    private static readonly TimeSpan OpenFor = TimeSpan.FromSeconds(5);

    /// <summary>How long calls may take until the cache has answered once: the first ones also connect.</summary>
    private static readonly TimeSpan FirstAnswerTimeout = TimeSpan.FromSeconds(2);
    private long _closedAfterTicks;
    private int _answered;

    public byte[]? Get(string key) => Guard(() => inner.Get(key), null);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => GuardAsync(ct => inner.GetAsync(key, ct), null, token);

    public void Refresh(string key) => Guard(() => { inner.Refresh(key); return true; }, false);

    public Task RefreshAsync(string key, CancellationToken token = default) => GuardAsync(async ct => { await inner.RefreshAsync(key, ct).ConfigureAwait(false); return true; }, false, token);

    public void Remove(string key) => Guard(() => { inner.Remove(key); return true; }, false);

    public Task RemoveAsync(string key, CancellationToken token = default) => GuardAsync(async ct => { await inner.RemoveAsync(key, ct).ConfigureAwait(false); return true; }, false, token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Guard(() => { inner.Set(key, value, options); return true; }, false);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        GuardAsync(async ct => { await inner.SetAsync(key, value, options, ct).ConfigureAwait(false); return true; }, false, token);

    /// <summary>Asks the cache once, bounded by the timeout (the health check's probe while it is out); throws what the call threw.</summary>
    /// <exception cref="IOException">The cache failed or did not answer in time (the cause inside).</exception>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await BoundedAsync(ct => inner.GetAsync("recsys:health-probe", ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (DependencyHealth.IsOutage(DependencyHealth.DistributedCache, e, cancellationToken))
        {
            throw new IOException(e.Message, e); // whatever the client library throws, an outage of the cache
        }

        Interlocked.Exchange(ref _closedAfterTicks, 0); // it answers: stop bypassing it
    }

    private bool Bypassed => time.GetUtcNow().UtcTicks < Interlocked.Read(ref _closedAfterTicks);

    private T Guard<T>(Func<T> action, T fallback)
    {
        if (Bypassed)
        {
            return fallback;
        }

        try
        {
            var value = action();
            health.Succeeded(DependencyHealth.DistributedCache);
            return value;
        }
        catch (Exception e) when (DependencyHealth.IsOutage(DependencyHealth.DistributedCache, e, CancellationToken.None) && e is not OperationCanceledException)
        {
            Trip(e);
            return fallback;
        }
    }

    private async Task<T> GuardAsync<T>(Func<CancellationToken, Task<T>> action, T fallback, CancellationToken cancellationToken)
    {
        if (Bypassed)
        {
            return fallback;
        }

        try
        {
            var value = await BoundedAsync(action, cancellationToken).ConfigureAwait(false);
            health.Succeeded(DependencyHealth.DistributedCache);
            return value;
        }
        catch (Exception e) when (DependencyHealth.IsOutage(DependencyHealth.DistributedCache, e, cancellationToken))
        {
            Trip(e);
            return fallback;
        }
    }

    /// <summary>
    /// The call, waited for at most the timeout: then the request goes on without it and a <see cref="TimeoutException"/>
    /// names the bound. The call itself is not cancelled (a first call that is still connecting finishes in the
    /// background, its write lands, and later calls find the connection made; the client's own timeout ends a hung
    /// one); its outcome is observed.
    /// </summary>
    private async Task<T> BoundedAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        var call = action(cancellationToken);
        var limit = Volatile.Read(ref _answered) == 1 ? timeout : (timeout > FirstAnswerTimeout ? timeout : FirstAnswerTimeout);
        try
        {
            var value = await call.WaitAsync(limit, time, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _answered, 1);
            return value;
        }
        catch (TimeoutException)
        {
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw new TimeoutException(limit == timeout
                ? $"The distributed cache did not answer within {timeout.TotalMilliseconds:0} ms (Recsys:DistributedCacheTimeout)."
                : $"The distributed cache did not answer its first call (which connects) within {limit.TotalSeconds:0} s.");
        }
    }

    private void Trip(Exception e)
    {
        metrics.DistributedCacheError();
        health.Failed(DependencyHealth.DistributedCache, e);
        Interlocked.Exchange(ref _closedAfterTicks, (time.GetUtcNow() + OpenFor).UtcTicks);
        Log.DistributedCacheFailed(logger, e, OpenFor.TotalSeconds);
    }
}
