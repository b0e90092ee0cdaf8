using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Recsys.Serving;

/// <summary>
/// The serving instruments, on the meter <see cref="RecsysTelemetry.MeterName"/> created through
/// <see cref="IMeterFactory"/>. Durations are in seconds with explicit buckets from 10 µs to 10 s.
/// </summary>
internal sealed class RecommenderMetrics
{
    /// <summary>Bucket boundaries (seconds) that resolve an in-memory hit (tens of µs) as well as a cold load (seconds).</summary>
    internal static readonly IReadOnlyList<double> DurationBuckets =
        [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _recommendations;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _loads;
    private readonly Histogram<double> _loadDuration;
    private readonly Counter<long> _cacheErrors;
    private readonly Counter<long> _fallbacks;
    private readonly ConcurrentDictionary<string, (string Model, string Stage, int Version)> _served = new(StringComparer.Ordinal);

    public RecommenderMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RecsysTelemetry.MeterName);
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _recommendations = meter.CreateCounter<long>("recsys.recommendations", "{request}", "Recommendation lists served, by model, alias or A/B arm, fallback and cache hit.");
        _duration = meter.CreateHistogram("recsys.recommendation.duration", "s", "Time to produce a recommendation list, cache lookups included.", tags: null, advice: buckets);
        _loads = meter.CreateCounter<long>("recsys.model.loads", "{load}", "Model version loads, by model and result.");
        _loadDuration = meter.CreateHistogram("recsys.model.load.duration", "s", "Time to read, verify and exercise a model version before it is swapped in.", tags: null, advice: buckets);
        _cacheErrors = meter.CreateCounter<long>("recsys.cache.distributed_errors", "{error}", "Distributed (Redis) cache operations that failed and were served without it.");
        _fallbacks = meter.CreateCounter<long>("recsys.dependency.fallbacks", "{request}", "Requests answered without an unavailable database (interaction store or registry), from what the replica had, by component.");
        meter.CreateObservableGauge("recsys.model.version", ObserveVersions, "{version}", "The version each served target (stage or alias of a model) serves.");
    }

    public void Served(ServedModel model, string? alias, string? fallback, bool cacheHit, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { RecsysTelemetry.ModelName, model.Version.ModelName },
            { RecsysTelemetry.ModelAlias, alias ?? "none" },
            { RecsysTelemetry.Fallback, fallback ?? "none" },
            { RecsysTelemetry.CacheHit, cacheHit },
        };
        _recommendations.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>A version was swapped in for a target; <paramref name="servedAs"/> is its stage or <c>alias:name</c>.</summary>
    public void ModelLoaded(string target, ServedModel model, string servedAs, TimeSpan elapsed)
    {
        var tags = new TagList { { RecsysTelemetry.ModelName, model.Version.ModelName }, { RecsysTelemetry.Result, "success" } };
        _loads.Add(1, tags);
        _loadDuration.Record(elapsed.TotalSeconds, tags);
        _served[target] = (model.Version.ModelName, servedAs, model.Version.Version);
    }

    public void ModelLoadFailed(string model) =>
        _loads.Add(1, new TagList { { RecsysTelemetry.ModelName, model }, { RecsysTelemetry.Result, "failure" } });

    public void DistributedCacheError() => _cacheErrors.Add(1);

    public void Fallback(string component) => _fallbacks.Add(1, new KeyValuePair<string, object?>(RecsysTelemetry.Component, component));

    private IEnumerable<Measurement<long>> ObserveVersions()
    {
        foreach (var (model, stage, version) in _served.Values)
        {
            yield return new Measurement<long>(version, new KeyValuePair<string, object?>(RecsysTelemetry.ModelName, model), new KeyValuePair<string, object?>(RecsysTelemetry.ModelStage, stage));
        }
    }
}
