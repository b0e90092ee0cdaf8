using Recsys.Retraining;
using Recsys.Runs;

namespace Recsys.Tests.Shared;

/// <summary>Waits for a retraining run through <see cref="RetrainingService.RunFinished"/>, not by polling its state.</summary>
internal static class RunCompletion
{
    /// <summary>Completes with the run <paramref name="runId"/> once it has finished (at once if it already has).</summary>
    /// <param name="service">The service that runs it.</param>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">The test's token.</param>
    /// <returns>The finished run.</returns>
    public static Task<RetrainingRun> WaitAsync(RetrainingService service, string runId, CancellationToken cancellationToken) =>
        NextAsync(service, run => run.Id == runId, runId, cancellationToken);

    /// <summary>
    /// Completes with the first run that finishes from now on and satisfies <paramref name="match"/>, or with the newest
    /// finished run of the model (checked after subscribing) if <paramref name="runId"/> names one that already ended.
    /// </summary>
    /// <param name="service">The service whose runs are watched.</param>
    /// <param name="match">Which run is waited for.</param>
    /// <param name="runId">A run id to look up at once, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">The test's token.</param>
    /// <returns>The finished run.</returns>
    public static async Task<RetrainingRun> NextAsync(RetrainingService service, Func<RetrainingRun, bool> match, string? runId, CancellationToken cancellationToken)
    {
        var finished = new TaskCompletionSource<RetrainingRun>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFinished(RetrainingRun run)
        {
            if (match(run))
            {
                finished.TrySetResult(run);
            }
        }

        service.RunFinished += OnFinished;
        try
        {
            // Subscribed first, then looked up: a run that ended before the subscription is seen here, one that ends
            // after it raises the event.
            if (runId is not null && await service.Runs.GetRunAsync(runId, cancellationToken) is { State: not RunState.Running } done)
            {
                return done;
            }

            return await finished.Task.WaitAsync(Poll.HangGuard, cancellationToken);
        }
        finally
        {
            service.RunFinished -= OnFinished;
        }
    }
}
