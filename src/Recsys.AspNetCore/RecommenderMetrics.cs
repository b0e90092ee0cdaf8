using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Recsys.AspNetCore;

/// <summary>The serving instruments, on the meter <c>Recsys.AspNetCore</c> (exported at <c>/metrics</c>).</summary>
internal sealed class RecommenderMetrics
{
    /// <summary>The meter name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "Recsys.AspNetCore";

    private readonly Counter<long> _recommendations;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _reloads;
    private readonly Counter<long> _cacheErrors;
    private readonly Counter<long> _fallbacks;
    private long _servedVersion;

    public RecommenderMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _recommendations = meter.CreateCounter<long>("recsys.recommendations", "{request}", "Recommendation lists served, by model, variant, fallback and cache hit.");
        _duration = meter.CreateHistogram<double>("recsys.recommendation.duration", "ms", "Time to produce a recommendation list, cache lookups included.");
        _reloads = meter.CreateCounter<long>("recsys.model.loads", "{load}", "Model version loads, by result.");
        _cacheErrors = meter.CreateCounter<long>("recsys.cache.distributed_errors", "{error}", "Distributed (Redis) cache operations that failed and were served without it.");
        _fallbacks = meter.CreateCounter<long>("recsys.dependency.fallbacks", "{request}", "Requests answered without an unavailable database (interaction store or registry), from what the replica had, by component.");
        meter.CreateObservableGauge("recsys.model.version", () => Interlocked.Read(ref _servedVersion), "{version}", "The version of the model the default target serves.");
    }

    public void Served(string model, string? variant, string? fallback, bool cacheHit, double milliseconds)
    {
        var tags = new TagList
        {
            { "model", model },
            { "variant", variant ?? "none" },
            { "fallback", fallback ?? "none" },
            { "cache_hit", cacheHit },
        };
        _recommendations.Add(1, tags);
        _duration.Record(milliseconds, tags);
    }

    public void ModelLoaded(ServedModel model, bool isDefaultTarget)
    {
        _reloads.Add(1, new KeyValuePair<string, object?>("result", "success"));
        if (isDefaultTarget)
        {
            Interlocked.Exchange(ref _servedVersion, model.Version.Version);
        }
    }

    public void ModelLoadFailed() => _reloads.Add(1, new KeyValuePair<string, object?>("result", "failure"));

    public void DistributedCacheError() => _cacheErrors.Add(1);

    public void Fallback(string component) => _fallbacks.Add(1, new KeyValuePair<string, object?>("component", component));
}
