using System.Diagnostics.Metrics;

namespace Recsys.AspNetCore.Dashboard;

// What the live page shows, from the same instruments the exporters see: a MeterListener on this host's "Recsys"
// meter (the IMeterFactory's, so other hosts in the process are not counted) keeps one-second buckets of the last
// minute: recommendation lists with their latencies, cache hits and fallbacks; plus model loads since start.
internal sealed class LiveServingMonitor : IDisposable
{
    private const int Seconds = 60;
    private const int SamplesPerSecond = 4096;
    private readonly MeterListener _listener = new();
    private readonly TimeProvider _time;
    private readonly Bucket[] _buckets = new Bucket[Seconds];
    private readonly Lock _lock = new();
    private long _loads;
    private long _loadFailures;
    private long _dependencyFallbacks;
    private long _requests;

    public LiveServingMonitor(IMeterFactory meterFactory, TimeProvider time)
    {
        _time = time;
        for (var i = 0; i < Seconds; i++)
        {
            _buckets[i] = new Bucket();
        }

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RecsysTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, meterFactory)
                && instrument.Name is "recsys.recommendation.duration" or "recsys.model.loads" or "recsys.dependency.fallbacks")
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<double>(static (instrument, value, tags, state) => ((LiveServingMonitor)state!).OnDuration(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) => ((LiveServingMonitor)state!).OnCount(instrument.Name, value, tags));
        _listener.Start();
    }

    public LiveSnapshot Snapshot(int windowSeconds)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var latencies = new List<double>();
        long count = 0, hits = 0, fallbacks = 0;
        lock (_lock)
        {
            // The current second is still filling: the window is the windowSeconds before it.
            for (var s = now - windowSeconds; s < now; s++)
            {
                var bucket = _buckets[(int)(s % Seconds)];
                if (bucket.Second != s)
                {
                    continue;
                }

                count += bucket.Count;
                hits += bucket.CacheHits;
                fallbacks += bucket.Fallbacks;
                latencies.AddRange(bucket.Samples);
            }
        }

        latencies.Sort();
        return new LiveSnapshot(
            windowSeconds,
            count / (double)windowSeconds,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.95),
            Percentile(latencies, 0.99),
            count == 0 ? null : hits / (double)count,
            fallbacks,
            Interlocked.Read(ref _requests),
            Interlocked.Read(ref _dependencyFallbacks),
            Interlocked.Read(ref _loads),
            Interlocked.Read(ref _loadFailures));
    }

    public void Dispose() => _listener.Dispose();

    private static double? Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? null : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)] * 1000;

    private void OnDuration(double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hit = false;
        var fallback = false;
        foreach (var tag in tags)
        {
            if (tag.Key == RecsysTelemetry.CacheHit)
            {
                hit = tag.Value is true;
            }
            else if (tag.Key == RecsysTelemetry.Fallback)
            {
                fallback = tag.Value is string f && f != "none";
            }
        }

        Interlocked.Increment(ref _requests);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            var bucket = _buckets[(int)(now % Seconds)];
            if (bucket.Second != now)
            {
                bucket.Reset(now);
            }

            bucket.Count++;
            bucket.CacheHits += hit ? 1 : 0;
            bucket.Fallbacks += fallback ? 1 : 0;

            // Every sample while the second has room; then a uniform reservoir, so percentiles stay unbiased.
            if (bucket.Samples.Count < SamplesPerSecond)
            {
                bucket.Samples.Add(seconds);
            }
            else if (Random.Shared.NextInt64(bucket.Count) is var slot && slot < SamplesPerSecond)
            {
                bucket.Samples[(int)slot] = seconds;
            }
        }
    }

    private void OnCount(string instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (instrument == "recsys.dependency.fallbacks")
        {
            Interlocked.Add(ref _dependencyFallbacks, value);
            return;
        }

        var failed = false;
        foreach (var tag in tags)
        {
            failed |= tag.Key == RecsysTelemetry.Result && tag.Value is "failure";
        }

        Interlocked.Add(ref failed ? ref _loadFailures : ref _loads, value);
    }

    private sealed class Bucket
    {
        public long Second { get; private set; } = -1;

        public long Count { get; set; }

        public long CacheHits { get; set; }

        public long Fallbacks { get; set; }

        public List<double> Samples { get; } = [];

        public void Reset(long second)
        {
            Second = second;
            Count = CacheHits = Fallbacks = 0;
            Samples.Clear();
        }
    }
}

// Latencies in milliseconds over the window; totals since the host started.
internal sealed record LiveSnapshot(
    int WindowSeconds,
    double RequestsPerSecond,
    double? P50Ms,
    double? P95Ms,
    double? P99Ms,
    double? CacheHitRatio,
    long Fallbacks,
    long TotalRequests,
    long DependencyFallbacks,
    long Loads,
    long LoadFailures);
