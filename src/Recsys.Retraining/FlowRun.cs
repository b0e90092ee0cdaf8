using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Recsys.Runs;

namespace Recsys.Retraining;

/// <summary>
/// Runs the steps of one run: each with retries (exponential backoff with jitter), a per-attempt timeout and
/// cooperative cancellation, and records every step's state and attempts in the run store as it goes. Results pass
/// from step to step as typed values.
/// </summary>
public sealed class FlowRun
{
    private readonly RetrainingTelemetry _telemetry;
    private readonly IRunStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a run context.</summary>
    /// <param name="runId">The run id.</param>
    /// <param name="store">Where steps are recorded.</param>
    /// <param name="time">The clock (delays, timestamps).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="telemetry">The run's instruments and spans.</param>
    internal FlowRun(string runId, IRunStore store, TimeProvider time, ILogger logger, RetrainingTelemetry telemetry)
    {
        _telemetry = telemetry;
        RunId = runId;
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>Gets the run id.</summary>
    public string RunId { get; }

    /// <summary>Runs one step.</summary>
    /// <typeparam name="T">The step's result.</typeparam>
    /// <param name="name">The step name (unique in the run).</param>
    /// <param name="policy">Its retries and timeout.</param>
    /// <param name="action">The work; it gets a token that is cancelled on timeout or run cancellation.</param>
    /// <param name="describe">Describes the result for the run history, or null.</param>
    /// <param name="cancellationToken">Cancels the step and the run.</param>
    /// <returns>The result.</returns>
    /// <exception cref="StepFailedException">The last attempt failed.</exception>
    public async Task<T> StepAsync<T>(string name, StepPolicy policy, Func<CancellationToken, Task<T>> action, Func<T, string?>? describe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(action);
        using var activity = RetrainingTelemetry.Source.StartActivity("recsys.retraining.step");
        activity?.SetTag(RecsysTelemetry.RunStep, name);
        var started = _time.GetUtcNow();
        var timer = _time.GetTimestamp();
        var attempts = 1;
        await _store.RecordStepAsync(RunId, new RunStep(name, StepState.Running, attempts, started, null, null, null), CancellationToken.None).ConfigureAwait(false);
        Log.StepStarted(_logger, RunId, name);

        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };
        if (policy.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = policy.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = policy.BaseDelay,
                MaxDelay = policy.MaxDelay,
                // A data error (a bad row, a rating off the scale) is deterministic: it fails once, with its message.
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => (e is not OperationCanceledException || e is TimeoutRejectedException) && e is not Recsys.Data.InteractionDataException),
                OnRetry = async arguments =>
                {
                    var error = arguments.Outcome.Exception?.Message;
                    Log.Retry(_logger, RunId, name, attempts, arguments.RetryDelay.TotalSeconds, error);
                    _telemetry.Retried(name);
                    attempts++;
                    await _store.RecordStepAsync(RunId, new RunStep(name, StepState.Running, attempts, started, null, error, null), CancellationToken.None).ConfigureAwait(false);
                },
            });
        }

        if (policy.Timeout is { } timeout)
        {
            builder.AddTimeout(timeout);
        }

        var pipeline = builder.Build();
        try
        {
            var result = await pipeline.ExecuteAsync(async token => await action(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            await _store.RecordStepAsync(RunId, new RunStep(name, StepState.Succeeded, attempts, started, _time.GetUtcNow(), null, describe?.Invoke(result)), CancellationToken.None).ConfigureAwait(false);
            Log.StepFinished(_logger, RunId, name, attempts);
            _telemetry.StepFinished(name, "success", _time.GetElapsedTime(timer));
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _store.RecordStepAsync(RunId, new RunStep(name, StepState.Cancelled, attempts, started, _time.GetUtcNow(), "cancelled", null), CancellationToken.None).ConfigureAwait(false);
            _telemetry.StepFinished(name, "cancelled", _time.GetElapsedTime(timer));
            throw;
        }
        catch (Exception e)
        {
            await _store.RecordStepAsync(RunId, new RunStep(name, StepState.Failed, attempts, started, _time.GetUtcNow(), e.Message, null), CancellationToken.None).ConfigureAwait(false);
            Log.StepFailed(_logger, e, RunId, name, attempts);
            _telemetry.StepFinished(name, "failure", _time.GetElapsedTime(timer));
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw new StepFailedException(name, attempts, e);
        }
    }
}
