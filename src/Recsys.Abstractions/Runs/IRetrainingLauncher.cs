namespace Recsys.Runs;

/// <summary>
/// Starts retraining runs on behalf of a host's HTTP endpoints and dashboard, which so do not depend on the retraining
/// package: <c>services.AddRetraining(…)</c> (Recsys.Retraining) registers its flow as this service. A host without
/// one answers that retraining is not available.
/// </summary>
public interface IRetrainingLauncher
{
    /// <summary>Gets the model the runs retrain.</summary>
    string ModelName { get; }

    /// <summary>Gets one sentence saying what a run does (its candidates and how it decides), for a confirmation page.</summary>
    string Description { get; }

    /// <summary>Starts a run in the background once the model's lock is held.</summary>
    /// <param name="trigger">Who or what started it (recorded with the run).</param>
    /// <param name="cancellationToken">Stops the run (not only the wait for its start).</param>
    /// <returns>The run's id and a task that completes with the finished run.</returns>
    /// <exception cref="Recsys.Retraining.RunInProgressException">Another run of the model holds its lock.</exception>
    Task<(string RunId, Task<RetrainingRun> Completion)> StartAsync(string trigger, CancellationToken cancellationToken);
}
