using Cronos;

namespace Recsys.Retraining.Tests;

/// <summary>When the worker's triggers fire, on explicit clocks.</summary>
public sealed class TriggerTests
{
    private static readonly DateTimeOffset Started = new(2026, 11, 28, 10, 0, 30, TimeSpan.Zero);

    [Fact]
    public void Cron_FiresAtTheNextOccurrenceAfterTheLastRun_NotBefore()
    {
        var options = new RetrainingOptions { Cron = "0 */6 * * *" }; // 00:00, 06:00, 12:00, 18:00 UTC
        var cron = CronExpression.Parse(options.Cron);
        var lastRun = new DateTimeOffset(2026, 11, 28, 6, 0, 5, TimeSpan.Zero);

        Assert.Null(RetrainingWorker.DueTrigger(options, cron, lastRun, Started, new DateTimeOffset(2026, 11, 28, 11, 59, 59, TimeSpan.Zero), null));
        Assert.Equal("schedule", RetrainingWorker.DueTrigger(options, cron, lastRun, Started, new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero), null));
        Assert.Null(RetrainingWorker.DueTrigger(options, cron, null, Started, Started.AddHours(1.4), null)); // never ran: counts from the worker's start
        Assert.Equal("schedule", RetrainingWorker.DueTrigger(options, cron, null, Started, Started.AddHours(2), null)); // 12:00:30
    }

    [Fact]
    public void Interval_AndDataVolume_FireOnTheirThresholds()
    {
        var options = new RetrainingOptions { Interval = TimeSpan.FromHours(1), MinNewInteractions = 100 };
        var lastRun = Started;

        Assert.Equal("schedule", RetrainingWorker.DueTrigger(options, null, null, Started, Started, 0));
        Assert.Null(RetrainingWorker.DueTrigger(options, null, lastRun, Started, Started.AddMinutes(59), 99));
        Assert.Equal("data-volume", RetrainingWorker.DueTrigger(options, null, lastRun, Started, Started.AddMinutes(59), 100));
        Assert.Equal("schedule", RetrainingWorker.DueTrigger(options, null, lastRun, Started, Started.AddHours(1), 0));
        Assert.Null(RetrainingWorker.DueTrigger(new RetrainingOptions(), null, lastRun, Started, Started.AddDays(30), 1_000_000)); // no trigger configured
    }
}
