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
    private double _lastLoss = double.NaN;
    private long _lastEpoch;

    public RetrainingTelemetry(IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(RecsysTelemetry.MeterName) ?? new Meter(RecsysTelemetry.MeterName);
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] };
        _runs = meter.CreateCounter<long>("recsys.retraining.runs", "{run}", "Finished runs, by model and state.");
        _retries = meter.CreateCounter<long>("recsys.retraining.step.retries", "{retry}", "Step attempts that failed and were retried, by step.");
        _durations = meter.CreateHistogram("recsys.retraining.run.duration", "s", "Run durations, by model and state.", tags: null, advice: buckets);
        _stepDurations = meter.CreateHistogram("recsys.retraining.step.duration", "s", "Step durations (all attempts), by step kind and result.", tags: null, advice: buckets);
        meter.CreateObservableGauge("recsys.retraining.training.epoch", () => Interlocked.Read(ref _lastEpoch), "{epoch}", "The epoch the latest training progress report was at.");
        meter.CreateObservableGauge("recsys.retraining.training.loss", () => Volatile.Read(ref _lastLoss), null, "The training loss of the latest progress report.");
    }

    public void RunFinished(string model, RunState state, TimeSpan duration)
    {
        var tags = new TagList { { RecsysTelemetry.ModelName, model }, { RecsysTelemetry.Result, state.ToString() } };
        _runs.Add(1, tags);
        _durations.Record(duration.TotalSeconds, tags);
    }

    public void StepFinished(string step, string result, TimeSpan duration) =>
        _stepDurations.Record(duration.TotalSeconds, new TagList { { RecsysTelemetry.RunStep, StepKind(step) }, { RecsysTelemetry.Result, result } });

    public void Retried(string step) => _retries.Add(1, new KeyValuePair<string, object?>(RecsysTelemetry.RunStep, StepKind(step)));

    public void Progress(int epoch, double loss)
    {
        Interlocked.Exchange(ref _lastEpoch, epoch);
        Volatile.Write(ref _lastLoss, loss);
    }

    /// <summary>The kind of a step (<c>train</c> for "train 2: svd"), so the attribute stays low-cardinality.</summary>
    private static string StepKind(string step) => step.Split(' ', 2)[0];
}
