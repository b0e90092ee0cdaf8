using Cronos;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Recsys.Retraining;

/// <summary>
/// Runs the retraining flow on its triggers: an interval, a cron schedule (UTC), and "at least N new interactions
/// since the last run". At start-up it marks runs of a dead worker abandoned. Runs already in progress on another
/// worker are skipped, not queued.
/// </summary>
public sealed partial class RetrainingWorker : BackgroundService
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
            LogFailed(e, "recovery");
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
                LogSkipped(e.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(e, "trigger check");
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
        var now = _time.GetUtcNow();
        var last = (await _service.Runs.ListRunsAsync(options.ModelName, 1, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        if (options.Interval is { } interval && (last is null || now - last.StartedAt >= interval))
        {
            return "schedule";
        }

        if (_cron is not null && _cron.GetNextOccurrence((last?.StartedAt ?? workerStarted).UtcDateTime, TimeZoneInfo.Utc) is { } next && next <= now.UtcDateTime)
        {
            return "schedule";
        }

        if (options.MinNewInteractions is { } minimum && await _service.NewInteractionsAsync(cancellationToken).ConfigureAwait(false) >= minimum)
        {
            return "data-volume";
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Trigger skipped: {Reason}")]
    private partial void LogSkipped(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retraining {Phase} failed")]
    private partial void LogFailed(Exception exception, string phase);
}
