namespace Recsys.Runs;

/// <summary>The state of a retraining run.</summary>
public enum RunState
{
    /// <summary>Running now (or its worker died; see <see cref="Abandoned"/>).</summary>
    Running = 0,

    /// <summary>Every step succeeded (the promotion decision may still have been "reject").</summary>
    Succeeded = 1,

    /// <summary>A step failed after its retries; Production is unchanged.</summary>
    Failed = 2,

    /// <summary>Cancelled (shutdown or request).</summary>
    Cancelled = 3,

    /// <summary>Its worker stopped without finishing it (process killed); found and marked by the next worker.</summary>
    Abandoned = 4,
}

/// <summary>The state of one step of a run.</summary>
public enum StepState
{
    /// <summary>Running.</summary>
    Running = 0,

    /// <summary>Succeeded.</summary>
    Succeeded = 1,

    /// <summary>Failed after its last attempt.</summary>
    Failed = 2,

    /// <summary>Cancelled.</summary>
    Cancelled = 3,
}

/// <summary>One step of a run, as recorded.</summary>
/// <param name="Name">The step name.</param>
/// <param name="State">Its state.</param>
/// <param name="Attempts">How many attempts it took (1 without retries).</param>
/// <param name="StartedAt">When its first attempt started.</param>
/// <param name="FinishedAt">When it finished, if it has.</param>
/// <param name="Error">The last attempt's error, if any.</param>
/// <param name="Detail">What it did (for example rows loaded, metrics), if anything.</param>
public sealed record RunStep(string Name, StepState State, int Attempts, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Error, string? Detail);

/// <summary>A retraining run, as recorded.</summary>
/// <param name="Id">The run id.</param>
/// <param name="ModelName">The model it trains.</param>
/// <param name="Trigger">What started it: <c>schedule</c>, <c>manual</c>, <c>api</c>, <c>data-volume</c>.</param>
/// <param name="State">Its state.</param>
/// <param name="Owner">The worker that ran it (host and process id).</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When it finished, if it has.</param>
/// <param name="Error">Why it failed, if it did.</param>
/// <param name="Decision">The promotion decision, if it got that far.</param>
/// <param name="InteractionCount">How many interactions the interaction store held when it started (for data-volume triggers).</param>
/// <param name="Steps">Its steps in order.</param>
public sealed record RetrainingRun(
    string Id,
    string ModelName,
    string Trigger,
    RunState State,
    string Owner,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    string? Decision,
    long InteractionCount,
    IReadOnlyList<RunStep> Steps);

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
