namespace Recsys.Runs;

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

    /// <summary>Its worker stopped (a crash, a kill) while the step ran; marked by the next worker that took the model's lock.</summary>
    Abandoned = 4,
}
