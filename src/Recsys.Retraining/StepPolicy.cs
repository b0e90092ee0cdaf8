namespace Recsys.Retraining;

/// <summary>How one step is retried and bounded.</summary>
public sealed class StepPolicy
{
    /// <summary>Gets or sets how many attempts the step gets in all; default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Gets or sets the delay before the first retry; later ones grow exponentially, with jitter. Default 1 s.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest delay between attempts; default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long one attempt may take; <see langword="null"/> (the default) for no limit.</summary>
    public TimeSpan? Timeout { get; set; }
}
