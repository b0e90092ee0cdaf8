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
