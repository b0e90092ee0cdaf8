using System.Diagnostics.Metrics;
using Recsys.Runs;

namespace Recsys.Retraining;

/// <summary>The retraining instruments, on the meter <c>Recsys.Retraining</c>.</summary>
public static class RetrainingMetrics
{
    /// <summary>The meter name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "Recsys.Retraining";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Runs = Meter.CreateCounter<long>("recsys.retraining.runs", "{run}", "Finished runs, by state.");
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("recsys.retraining.step.retries", "{retry}", "Step attempts that failed and were retried, by step.");
    private static readonly Histogram<double> Durations = Meter.CreateHistogram<double>("recsys.retraining.run.duration", "s", "Run durations, by state.");
    private static double _lastLoss = double.NaN;
    private static long _lastEpoch;

    static RetrainingMetrics()
    {
        Meter.CreateObservableGauge("recsys.retraining.training.epoch", () => Interlocked.Read(ref _lastEpoch), "{epoch}", "The epoch the latest training progress report was at.");
        Meter.CreateObservableGauge("recsys.retraining.training.loss", () => Volatile.Read(ref _lastLoss), null, "The training loss of the latest progress report.");
    }

    internal static void RunFinished(RunState state, TimeSpan duration)
    {
        Runs.Add(1, new KeyValuePair<string, object?>("state", state.ToString()));
        Durations.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("state", state.ToString()));
    }

    internal static void Retried(string step) => Retries.Add(1, new KeyValuePair<string, object?>("step", step));

    internal static void Progress(int epoch, double loss)
    {
        Interlocked.Exchange(ref _lastEpoch, epoch);
        Volatile.Write(ref _lastLoss, loss);
    }
}
