using System.Diagnostics;
using System.Diagnostics.Metrics;
using Recsys.Runs;

namespace Recsys.Retraining;

/// <summary>
/// The retraining instruments on the meter <see cref="RecsysTelemetry.MeterName"/> (from <see cref="IMeterFactory"/>
/// when the service is built by dependency injection) and its spans: a run, each step, each training.
/// </summary>
internal sealed class RetrainingTelemetry
{
    public static readonly ActivitySource Source = new(RecsysTelemetry.ActivitySourceName);

    private readonly Counter<long> _runs;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _durations;
    private readonly Histogram<double> _stepDurations;

    // Process-wide, so every service's gauges report the same: the latest progress of each (model, candidate) being
    // trained, and when each model's latest successful run finished.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Model, string Candidate), (long Epoch, double Loss)> Training = new();
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, double> LastSuccess = new(StringComparer.Ordinal);

    public RetrainingTelemetry(IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(RecsysTelemetry.MeterName) ?? new Meter(RecsysTelemetry.MeterName);
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] };
        _runs = meter.CreateCounter<long>("recsys.retraining.runs", "{run}", "Finished runs, by model and state.");
        _retries = meter.CreateCounter<long>("recsys.retraining.step.retries", "{retry}", "Step attempts that failed and were retried, by step.");
        _durations = meter.CreateHistogram("recsys.retraining.run.duration", "s", "Run durations, by model and state.", tags: null, advice: buckets);
        _stepDurations = meter.CreateHistogram("recsys.retraining.step.duration", "s", "Step durations (all attempts), by step kind and result.", tags: null, advice: buckets);
        meter.CreateObservableGauge("recsys.retraining.training.epoch", () => Training.Select(t => new Measurement<long>(t.Value.Epoch, Tags(t.Key))), "{epoch}", "The epoch of each candidate's latest training progress report, by model and candidate.");
        meter.CreateObservableGauge("recsys.retraining.training.loss", () => Training.Select(t => new Measurement<double>(t.Value.Loss, Tags(t.Key))), null, "The training loss of each candidate's latest progress report, by model and candidate.");
        meter.CreateObservableGauge("recsys.retraining.last_success", () => LastSuccess.Select(m => new Measurement<double>(m.Value, new KeyValuePair<string, object?>(RecsysTelemetry.ModelName, m.Key))), "s", "When the latest successful run that trained the model finished (Unix time), by model: what the no-recent-retraining alert compares with now.");
    }

    /// <summary>A run finished: counted once for every model it trained (a run of movies with companions svd and nmf counts for all three).</summary>
    public void RunFinished(IEnumerable<string> models, RunState state, TimeSpan duration, DateTimeOffset finishedAt)
    {
        foreach (var model in models)
        {
            var tags = new TagList { { RecsysTelemetry.ModelName, model }, { RecsysTelemetry.Result, state.ToString() } };
            _runs.Add(1, tags);
            _durations.Record(duration.TotalSeconds, tags);
            if (state == RunState.Succeeded)
            {
                Succeeded(model, finishedAt);
            }
        }
    }

    /// <summary>Records (or seeds, from the run history at start-up) when a model was last retrained successfully.</summary>
    public static void Succeeded(string model, DateTimeOffset finishedAt)
    {
        var seconds = finishedAt.ToUnixTimeMilliseconds() / 1000.0;
        LastSuccess.AddOrUpdate(model, seconds, (_, known) => Math.Max(known, seconds));
    }

    public void StepFinished(string step, string result, TimeSpan duration) =>
        _stepDurations.Record(duration.TotalSeconds, new TagList { { RecsysTelemetry.RunStep, StepKind(step) }, { RecsysTelemetry.Result, result } });

    public void Retried(string step) => _retries.Add(1, new KeyValuePair<string, object?>(RecsysTelemetry.RunStep, StepKind(step)));

    public static void Progress(string model, string candidate, int epoch, double loss) => Training[(model, candidate)] = (epoch, loss);

    private static KeyValuePair<string, object?>[] Tags((string Model, string Candidate) key) =>
        [new(RecsysTelemetry.ModelName, key.Model), new(RecsysTelemetry.Candidate, key.Candidate)];

    /// <summary>The kind of a step (<c>train</c> for "train 2: svd"), so the attribute stays low-cardinality.</summary>
    private static string StepKind(string step) => step.Split(' ', 2)[0];
}
