namespace Recsys;

/// <summary>
/// The names under which Recsys reports: one <see cref="System.Diagnostics.Metrics.Meter"/> and one
/// <see cref="System.Diagnostics.ActivitySource"/>, both named <c>Recsys</c>, and the attribute names their
/// measurements and spans carry (namespaced after OpenTelemetry's conventions; never a user or item id).
/// A host subscribes with <c>.AddMeter(RecsysTelemetry.MeterName)</c> and <c>.AddSource(RecsysTelemetry.ActivitySourceName)</c>.
/// </summary>
public static class RecsysTelemetry
{
    /// <summary>The meter's name: <c>Recsys</c>.</summary>
    public const string MeterName = "Recsys";

    /// <summary>The activity source's name: <c>Recsys</c>.</summary>
    public const string ActivitySourceName = "Recsys";

    /// <summary>The registered model's name: <c>recsys.model.name</c>.</summary>
    public const string ModelName = "recsys.model.name";

    /// <summary>The model version: <c>recsys.model.version</c>.</summary>
    public const string ModelVersion = "recsys.model.version";

    /// <summary>The stage or alias a version is served as: <c>recsys.model.stage</c> (for example <c>Production</c> or <c>alias:champion</c>).</summary>
    public const string ModelStage = "recsys.model.stage";

    /// <summary>The alias a request asked for, or its A/B arm: <c>recsys.model.alias</c>.</summary>
    public const string ModelAlias = "recsys.model.alias";

    /// <summary>The cold-start fallback used, or <c>none</c>: <c>recsys.fallback</c>.</summary>
    public const string Fallback = "recsys.fallback";

    /// <summary>Whether the answer came from the cache: <c>recsys.cache.hit</c>.</summary>
    public const string CacheHit = "recsys.cache.hit";

    /// <summary>How an operation ended (<c>success</c>, <c>failure</c>, …): <c>recsys.result</c>.</summary>
    public const string Result = "recsys.result";

    /// <summary>The dependency concerned (<c>registry</c>, <c>interaction store</c>): <c>recsys.component</c>.</summary>
    public const string Component = "recsys.component";

    /// <summary>The retraining step: <c>recsys.run.step</c>.</summary>
    public const string RunStep = "recsys.run.step";

    /// <summary>The retraining trigger: <c>recsys.run.trigger</c>.</summary>
    public const string RunTrigger = "recsys.run.trigger";

    /// <summary>The algorithm trained: <c>recsys.algorithm</c>.</summary>
    public const string Algorithm = "recsys.algorithm";

    /// <summary>The tag naming a retraining candidate (its algorithm or trainer name) on the training progress gauges.</summary>
    public const string Candidate = "recsys.candidate";
}
