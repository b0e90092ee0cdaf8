namespace Recsys.Runs;

/// <summary>One step of a run, as recorded.</summary>
/// <param name="Name">The step name.</param>
/// <param name="State">Its state.</param>
/// <param name="Attempts">How many attempts it took (1 without retries).</param>
/// <param name="StartedAt">When its first attempt started.</param>
/// <param name="FinishedAt">When it finished, if it has.</param>
/// <param name="Error">The last attempt's error, if any.</param>
/// <param name="Detail">What it did (for example rows loaded, metrics), if anything.</param>
public sealed record RunStep(string Name, StepState State, int Attempts, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Error, string? Detail);
