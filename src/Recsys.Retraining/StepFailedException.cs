namespace Recsys.Retraining;

/// <summary>A step that failed on its last attempt.</summary>
public sealed class StepFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="step">The step.</param>
    /// <param name="attempts">How many attempts it took.</param>
    /// <param name="inner">The last attempt's error.</param>
    public StepFailedException(string step, int attempts, Exception inner)
        : base($"Step '{step}' failed after {attempts} attempt{(attempts == 1 ? "" : "s")}: {inner.Message}", inner)
    {
        Step = step;
        Attempts = attempts;
    }

    /// <summary>Gets the step.</summary>
    public string Step { get; }

    /// <summary>Gets how many attempts it took.</summary>
    public int Attempts { get; }
}
