namespace Recsys.Runs;

/// <summary>
/// Where runs are recorded (the registry's database) and the per-model run lock that keeps two workers from training
/// the same model at once.
/// </summary>
public interface IRunStore : IAsyncDisposable
{
    /// <summary>
    /// Takes the model's run lock for <paramref name="runId"/>, or returns null when a live worker holds it. The lock
    /// is released by disposing the result, and also when the holding process dies. Runs of the model still marked
    /// running from a dead worker are marked <see cref="RunState.Abandoned"/> on acquisition.
    /// </summary>
    /// <param name="modelName">The model.</param>
    /// <param name="runId">The run that will hold it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The lock, or null.</returns>
    Task<IAsyncDisposable?> TryLockModelAsync(string modelName, string runId, CancellationToken cancellationToken);

    /// <summary>Records a new run (state running, no steps).</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task.</returns>
    Task CreateRunAsync(RetrainingRun run, CancellationToken cancellationToken);

    /// <summary>Records a step's state (inserted or replaced by name).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="step">The step.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task.</returns>
    Task RecordStepAsync(string runId, RunStep step, CancellationToken cancellationToken);

    /// <summary>Records how a run ended.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="state">Its final state.</param>
    /// <param name="error">Why it failed, if it did.</param>
    /// <param name="decision">The promotion decision, if any.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task.</returns>
    Task FinishRunAsync(string runId, RunState state, string? error, string? decision, CancellationToken cancellationToken);

    /// <summary>A run with its steps, or null.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The run.</returns>
    Task<RetrainingRun?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The latest runs, newest first.</summary>
    /// <param name="modelName">Only this model's runs, or null for all.</param>
    /// <param name="take">How many at most.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The runs.</returns>
    Task<IReadOnlyList<RetrainingRun>> ListRunsAsync(string? modelName, int take, CancellationToken cancellationToken);
}
