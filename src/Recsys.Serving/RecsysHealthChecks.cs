namespace Recsys.Serving;

/// <summary>
/// The health checks <c>AddServing()</c> registers (the host maps them, for example with <c>MapHealthChecks</c>):
/// <see cref="ModelCheck"/> (Unhealthy until a model is loaded; tagged <see cref="ReadyTag"/>) and
/// <see cref="DatabasesCheck"/> (Degraded while the registry or interaction store is out and serving goes on from memory).
/// </summary>
public static class RecsysHealthChecks
{
    /// <summary>The tag of the checks a readiness probe needs: <c>recsys-ready</c>.</summary>
    public const string ReadyTag = "recsys-ready";

    /// <summary>The name of the model check: <c>recsys-model</c>.</summary>
    public const string ModelCheck = "recsys-model";

    /// <summary>The name of the database check: <c>recsys-databases</c>.</summary>
    public const string DatabasesCheck = "recsys-databases";
}
