namespace Recsys.Runs;

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
