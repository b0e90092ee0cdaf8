using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Recsys.Serving.Tests;

/// <summary>The outage bookkeeping of serving, on a fake clock: no sleeps, exact times.</summary>
public sealed class DependencyHealthTests
{
    [Fact]
    public void Outage_RetriesTheDatabaseOnceASecond_CountsFallbacks_AndEndsOnSuccess()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var fallbacks = new MetricCollector<long>(factory, RecsysTelemetry.MeterName, "recsys.dependency.fallbacks");
        var health = new DependencyHealth(clock, NullLogger<DependencyHealth>.Instance, new RecommenderMetrics(factory));
        const string Store = DependencyHealth.InteractionStore;

        Assert.True(health.ShouldTry(Store)); // up: every request tries
        health.Failed(Store, new TimeoutException("no answer"));
        Assert.Equal((Store, clock.GetUtcNow(), "no answer"), Assert.Single(health.Outages));

        Assert.False(health.ShouldTry(Store)); // out: no retry before a second has passed
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(health.ShouldTry(Store));
        health.Fallback(Store);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(health.ShouldTry(Store)); // exactly one request of this second retries
        Assert.False(health.ShouldTry(Store));
        health.Fallback(Store);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(health.ShouldTry(Store));
        health.Succeeded(Store);
        Assert.Empty(health.Outages);
        Assert.True(health.ShouldTry(Store));
        Assert.Equal(2, fallbacks.GetMeasurementSnapshot().Count);
        Assert.All(fallbacks.GetMeasurementSnapshot(), m => Assert.Equal(Store, m.Tags[RecsysTelemetry.Component]));
    }

    [Fact]
    public void IsOutage_OneRuleForEveryCaller()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var none = CancellationToken.None;

        // Databases: driver, I/O, socket and timeout failures are outages; a bug or the caller's cancellation is not.
        foreach (var database in new[] { DependencyHealth.InteractionStore, DependencyHealth.Registry })
        {
            Assert.True(DependencyHealth.IsOutage(database, new TimeoutException(), none));
            Assert.True(DependencyHealth.IsOutage(database, new IOException(), none));
            Assert.True(DependencyHealth.IsOutage(database, new System.Net.Sockets.SocketException(), none));
            Assert.False(DependencyHealth.IsOutage(database, new ArgumentException("a bug"), none));
            Assert.False(DependencyHealth.IsOutage(database, new NullReferenceException(), none));
            Assert.False(DependencyHealth.IsOutage(database, new TimeoutException(), cancelled.Token));
        }

        // The cache: whatever its client library throws, except the caller's own cancellation.
        Assert.True(DependencyHealth.IsOutage(DependencyHealth.DistributedCache, new ApplicationException("RedisConnectionException"), none));
        Assert.True(DependencyHealth.IsOutage(DependencyHealth.DistributedCache, new OperationCanceledException(), none)); // the client gave up
        Assert.False(DependencyHealth.IsOutage(DependencyHealth.DistributedCache, new OperationCanceledException(), cancelled.Token));
    }
}
