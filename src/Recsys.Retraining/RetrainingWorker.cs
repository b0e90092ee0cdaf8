using Cronos;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Recsys.Retraining;

/// <summary>
/// Runs the retraining flow on its triggers: an interval, a cron schedule (UTC), and "at least N new interactions
/// since the last run". A failed run is retried with exponential backoff (30 s, 1 min, 2 min … up to the interval or
/// an hour) instead of waiting a whole interval; when the next scheduled run is due is logged after every run. At
/// start-up it marks runs of a dead worker abandoned. Runs already in progress on another worker are skipped, not queued.
/// </summary>
public sealed class RetrainingWorker : BackgroundService
{
    private readonly RetrainingService _service;
    private readonly TimeProvider _time;
    private readonly ILogger<RetrainingWorker> _logger;
    private readonly CronExpression? _cron;
    private DateTimeOffset? _announced;

    /// <summary>Creates the worker.</summary>
    /// <param name="service">The flow.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The logger.</param>
    public RetrainingWorker(RetrainingService service, TimeProvider time, ILogger<RetrainingWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
        _time = time;
        _logger = logger;
        _cron = service.Options.Cron is { } cron ? CronExpression.Parse(cron) : null;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var startedAt = _time.GetUtcNow();
        try
        {
            await _service.RecoverAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.WorkerFailed(_logger, e, "recovery");
        }

        var options = _service.Options;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await DueTriggerAsync(startedAt, stoppingToken).ConfigureAwait(false) is { } trigger)
                {
                    await _service.RunAsync(trigger, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (RunInProgressException e)
            {
                Log.Skipped(_logger, e.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.WorkerFailed(_logger, e, "trigger check");
            }

            try
            {
                await Task.Delay(options.TriggerCheckInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<string?> DueTriggerAsync(DateTimeOffset workerStarted, CancellationToken cancellationToken)
    {
        var options = _service.Options;
        var recent = await _service.Runs.ListRunsAsync(options.ModelName, 8, cancellationToken).ConfigureAwait(false);
        var last = recent.FirstOrDefault();
        var now = _time.GetUtcNow();
        var failures = recent.TakeWhile(r => r.State == Runs.RunState.Failed).Count();
        if (failures > 0 && last!.FinishedAt is { } failedAt)
        {
            var retryAt = failedAt + RetryDelay(options, failures);
            if (now >= retryAt)
            {
                return "retry";
            }

            Announce(retryAt, $"retry after {failures} failed run(s)");
        }
        else if (NextScheduled(options, _cron, last?.StartedAt, workerStarted) is { } next)
        {
            Announce(next, "schedule");
        }

        var newInteractions = options.MinNewInteractions is null ? null : await _service.NewInteractionsSinceAsync(last, cancellationToken).ConfigureAwait(false);
        return DueTrigger(options, _cron, last?.StartedAt, workerStarted, now, newInteractions);
    }

    /// <summary>The backoff after <paramref name="failures"/> consecutive failed runs: 30 s doubling, at most the interval (or an hour).</summary>
    internal static TimeSpan RetryDelay(RetrainingOptions options, int failures)
    {
        var cap = options.Interval is { } interval && interval < TimeSpan.FromHours(1) ? interval : TimeSpan.FromHours(1);
        var delay = TimeSpan.FromSeconds(30 * Math.Pow(2, Math.Min(failures - 1, 16)));
        return delay < cap ? delay : cap;
    }

    /// <summary>When the schedule (interval or cron) is next due, if there is one.</summary>
    internal static DateTimeOffset? NextScheduled(RetrainingOptions options, CronExpression? cron, DateTimeOffset? lastRunStarted, DateTimeOffset workerStarted)
    {
        DateTimeOffset? next = options.Interval is { } interval ? (lastRunStarted ?? workerStarted) + (lastRunStarted is null ? TimeSpan.Zero : interval) : null;
        if (cron?.GetNextOccurrence((lastRunStarted ?? workerStarted).UtcDateTime, TimeZoneInfo.Utc) is { } occurrence)
        {
            var at = new DateTimeOffset(occurrence, TimeSpan.Zero);
            next = next is null || at < next ? at : next;
        }

        return next;
    }

    private void Announce(DateTimeOffset due, string why)
    {
        if (_announced != due)
        {
            _announced = due;
            Log.NextRun(_logger, _service.Options.ModelName, due, why);
        }
    }

    /// <summary>Which trigger is due now, if any: the schedule (interval or cron) first, then the data volume.</summary>
    internal static string? DueTrigger(RetrainingOptions options, CronExpression? cron, DateTimeOffset? lastRunStarted, DateTimeOffset workerStarted, DateTimeOffset now, long? newInteractions)
    {
        if (NextScheduled(options, cron, lastRunStarted, workerStarted) is { } due && due <= now)
        {
            return "schedule";
        }

        return options.MinNewInteractions is { } minimum && newInteractions >= minimum ? "data-volume" : null;
    }
}
