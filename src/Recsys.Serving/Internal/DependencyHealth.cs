using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Recsys.Serving;

/// <summary>
/// Tracks outages of the servers serving depends on (the interaction store, the registry, the distributed cache). While one is out,
/// requests are answered from what this replica has, at most one request a second tries the database again, the
/// outage is logged once when it starts and once when it ends, every fallback is counted, and <c>/health</c> reports
/// Degraded.
/// </summary>
internal sealed class DependencyHealth(TimeProvider time, ILogger<DependencyHealth> logger, RecommenderMetrics metrics)
{
    public const string InteractionStore = "interaction store";
    public const string Registry = "registry";
    public const string DistributedCache = "distributed cache";

    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, Outage> _outages = new(StringComparer.Ordinal);

    /// <summary>Gets the components that are out now, with when the outage began and its last error.</summary>
    public IReadOnlyList<(string Component, DateTimeOffset Since, string Error)> Outages =>
        [.. _outages.Select(o => (o.Key, o.Value.Since, o.Value.Error))];

    /// <summary>
    /// Calls a component and records the outcome, the one place that decides what an outage is: a success ends an
    /// outage; a database, I/O or timeout failure starts or continues one and is returned as <see cref="DependencyCall{T}.Error"/>;
    /// anything else (a bug, a cancelled request) propagates. <paramref name="gated"/> calls are skipped (not answered,
    /// no error) while the component is out, except once a second.
    /// </summary>
    public async ValueTask<DependencyCall<T>> CallAsync<T>(string component, Func<CancellationToken, Task<T>> call, bool gated, CancellationToken cancellationToken)
    {
        if (gated && !ShouldTry(component))
        {
            return default;
        }

        try
        {
            var value = await call(cancellationToken).ConfigureAwait(false);
            Succeeded(component);
            return new DependencyCall<T>(true, value, null);
        }
        catch (Exception e) when (IsOutage(component, e, cancellationToken))
        {
            Failed(component, e);
            return new DependencyCall<T>(false, default, e);
        }
    }

    /// <summary>
    /// The one rule of what an outage is, for every caller (store calls, the registry's change feed, the distributed
    /// cache): never a cancellation the caller asked for; for the distributed cache any other failure (its client
    /// library throws its own types, such as Redis' connection exceptions); for a database (the interaction store, the
    /// registry) a database, I/O, socket or timeout failure, or the driver's <see cref="InvalidOperationException"/> on
    /// a broken connection. Anything else is a bug and propagates.
    /// </summary>
    /// <param name="component">The component called: <see cref="InteractionStore"/>, <see cref="Registry"/> or <see cref="DistributedCache"/>.</param>
    /// <param name="e">What the call threw.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>Whether the failure is an outage of the component.</returns>
    public static bool IsOutage(string component, Exception e, CancellationToken cancellationToken) =>
        component == DistributedCache
            ? !(e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            : !cancellationToken.IsCancellationRequested
                && e is System.Data.Common.DbException or IOException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException;

    /// <summary>Whether a request should try the component now: always when it is up; once a second while it is out.</summary>
    public bool ShouldTry(string component)
    {
        if (!_outages.TryGetValue(component, out var outage))
        {
            return true;
        }

        var now = time.GetUtcNow().UtcTicks;
        var due = Interlocked.Read(ref outage.NextTryTicks);
        return now >= due && Interlocked.CompareExchange(ref outage.NextTryTicks, now + RetryEvery.Ticks, due) == due;
    }

    /// <summary>Records a failure; the first one of an outage is logged.</summary>
    public void Failed(string component, Exception exception)
    {
        var now = time.GetUtcNow();
        var outage = _outages.GetOrAdd(component, _ => new Outage(now, exception.Message, now.UtcTicks + RetryEvery.Ticks));
        outage.Error = exception.Message;
        if (Interlocked.Exchange(ref outage.Logged, 1) == 0)
        {
            Log.Degraded(logger, exception, component);
        }
    }

    /// <summary>Records that a request was answered without the component.</summary>
    public void Fallback(string component)
    {
        metrics.Fallback(component);
        if (_outages.TryGetValue(component, out var outage))
        {
            Interlocked.Increment(ref outage.Fallbacks);
        }
    }

    /// <summary>Records a success: ends an outage (logged with its length and fallbacks).</summary>
    public void Succeeded(string component)
    {
        if (!_outages.IsEmpty && _outages.TryRemove(component, out var outage))
        {
            Log.Recovered(logger, component, (time.GetUtcNow() - outage.Since).TotalSeconds, Interlocked.Read(ref outage.Fallbacks));
        }
    }

    private sealed class Outage(DateTimeOffset since, string error, long nextTryTicks)
    {
        public long NextTryTicks = nextTryTicks;
        public long Fallbacks;
        public int Logged;

        public DateTimeOffset Since { get; } = since;

        public string Error { get; set; } = error;
    }
}
