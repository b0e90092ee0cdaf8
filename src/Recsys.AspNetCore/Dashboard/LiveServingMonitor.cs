using System.Diagnostics.Metrics;

namespace Recsys.AspNetCore.Dashboard;

// What the live page shows, from the same instruments the exporters see: a MeterListener on this host's "Recsys" and
// ASP.NET Core hosting meters (the IMeterFactory's, so other hosts in the process are not counted) keeps one-second
// buckets of the last minute: recommendation lists with the model's compute time, cache hits and fallbacks, and the
// HTTP requests for recommendations with their whole server-side duration (what a client waits for, less the
// network); plus model loads since start.
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
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory)
                && ((instrument.Meter.Name == RecsysTelemetry.MeterName && instrument.Name is "recsys.recommendation.duration" or "recsys.model.loads" or "recsys.dependency.fallbacks")
                    || (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration")))
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<double>(static (instrument, value, tags, state) =>
        {
            if (instrument.Name == "http.server.request.duration")
            {
                ((LiveServingMonitor)state!).OnHttpDuration(value, tags);
            }
            else
            {
                ((LiveServingMonitor)state!).OnDuration(value, tags);
            }
        });
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) => ((LiveServingMonitor)state!).OnCount(instrument.Name, value, tags));
        _listener.Start();
    }

    public LiveSnapshot Snapshot(int windowSeconds)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var latencies = new List<double>();
        var http = new List<double>();
        var seconds = new List<(long Second, long Requests, List<double>? Http)>(Seconds - 1);
        long count = 0, hits = 0, fallbacks = 0;
        lock (_lock)
        {
            // The current second is still filling: the window (and the history) are the seconds before it. Only copies
            // are taken under the lock (the serving threads record into it); sorting happens after.
            for (var s = now - (Seconds - 1); s < now; s++)
            {
                var bucket = _buckets[(int)(s % Seconds)];
                var current = bucket.Second == s;
                seconds.Add((s, current ? bucket.Count : 0, current ? [.. bucket.HttpSamples] : null));
                if (!current || s < now - windowSeconds)
                {
                    continue;
                }

                count += bucket.Count;
                hits += bucket.CacheHits;
                fallbacks += bucket.Fallbacks;
                latencies.AddRange(bucket.Samples);
                http.AddRange(bucket.HttpSamples);
            }
        }

        latencies.Sort();
        http.Sort();
        var history = new List<LiveSecond>(seconds.Count);
        foreach (var (second, requests, samples) in seconds)
        {
            samples?.Sort();
            history.Add(new LiveSecond(second, requests, samples is null ? null : Percentile(samples, 0.99)));
        }

        return new LiveSnapshot(
            windowSeconds,
            count / (double)windowSeconds,
            Percentile(http, 0.50),
            Percentile(http, 0.95),
            Percentile(http, 0.99),
            Percentile(latencies, 0.99),
            count == 0 ? null : hits / (double)count,
            fallbacks,
            Interlocked.Read(ref _requests),
            Interlocked.Read(ref _dependencyFallbacks),
            Interlocked.Read(ref _loads),
            Interlocked.Read(ref _loadFailures),
            history);
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
        lock (_lock)
        {
            var bucket = CurrentBucket();
            bucket.Count++;
            bucket.CacheHits += hit ? 1 : 0;
            bucket.Fallbacks += fallback ? 1 : 0;
            Sample(bucket.Samples, bucket.Count, seconds);
        }
    }

    // An HTTP request for recommendations (a route ending in /recommendations), however it ended.
    private void OnHttpDuration(double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var recommendations = false;
        foreach (var tag in tags)
        {
            recommendations |= tag.Key == "http.route" && tag.Value is string route && route.EndsWith("/recommendations", StringComparison.Ordinal);
        }

        if (!recommendations)
        {
            return;
        }

        lock (_lock)
        {
            var bucket = CurrentBucket();
            bucket.HttpCount++;
            Sample(bucket.HttpSamples, bucket.HttpCount, seconds);
        }
    }

    // This second's bucket, emptied first when it last held a second a minute ago. Under _lock.
    private Bucket CurrentBucket()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var bucket = _buckets[(int)(now % Seconds)];
        if (bucket.Second != now)
        {
            bucket.Reset(now);
        }

        return bucket;
    }

    // Every sample while the second has room; then a uniform reservoir, so percentiles stay unbiased.
    private static void Sample(List<double> samples, long seen, double value)
    {
        if (samples.Count < SamplesPerSecond)
        {
            samples.Add(value);
        }
        else if (Random.Shared.NextInt64(seen) is var slot && slot < SamplesPerSecond)
        {
            samples[(int)slot] = value;
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

        public long HttpCount { get; set; }

        public List<double> HttpSamples { get; } = [];

        public void Reset(long second)
        {
            Second = second;
            Count = CacheHits = Fallbacks = HttpCount = 0;
            Samples.Clear();
            HttpSamples.Clear();
        }
    }
}

// Latencies in milliseconds over the window (P50Ms … P99Ms: the HTTP requests for recommendations; ComputeP99Ms: the
// model's part); totals since the host started; the last minute second by second.
internal sealed record LiveSnapshot(
    int WindowSeconds,
    double RequestsPerSecond,
    double? P50Ms,
    double? P95Ms,
    double? P99Ms,
    double? ComputeP99Ms,
    double? CacheHitRatio,
    long Fallbacks,
    long TotalRequests,
    long DependencyFallbacks,
    long Loads,
    long LoadFailures,
    IReadOnlyList<LiveSecond> History);

// One second of the live history: recommendation lists served, and the p99 of the HTTP requests for them.
internal sealed record LiveSecond(long UnixSecond, long Requests, double? HttpP99Ms);
