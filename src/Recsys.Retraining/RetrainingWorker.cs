using Cronos;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Recsys.Retraining;

/// <summary>
/// Runs the retraining flow on its triggers: an interval, a cron schedule (UTC), and "at least N new interactions
/// since the last run". At start-up it marks runs of a dead worker abandoned. Runs already in progress on another
/// worker are skipped, not queued.
/// </summary>
public sealed class RetrainingWorker : BackgroundService
{
    private readonly RetrainingService _service;
    private readonly TimeProvider _time;
    private readonly ILogger<RetrainingWorker> _logger;
    private readonly CronExpression? _cron;

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
        var last = (await _service.Runs.ListRunsAsync(options.ModelName, 1, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        var newInteractions = options.MinNewInteractions is null ? null : await _service.NewInteractionsSinceAsync(last, cancellationToken).ConfigureAwait(false);
        return DueTrigger(options, _cron, last?.StartedAt, workerStarted, _time.GetUtcNow(), newInteractions);
    }

    /// <summary>Which trigger is due now, if any: the schedule (interval or cron) first, then the data volume.</summary>
    internal static string? DueTrigger(RetrainingOptions options, CronExpression? cron, DateTimeOffset? lastRunStarted, DateTimeOffset workerStarted, DateTimeOffset now, long? newInteractions)
    {
        if (options.Interval is { } interval && (lastRunStarted is null || now - lastRunStarted.Value >= interval))
        {
            return "schedule";
        }

        if (cron is not null && cron.GetNextOccurrence((lastRunStarted ?? workerStarted).UtcDateTime, TimeZoneInfo.Utc) is { } next && next <= now.UtcDateTime)
        {
            return "schedule";
        }

        return options.MinNewInteractions is { } minimum && newInteractions >= minimum ? "data-volume" : null;
    }
}
