using Microsoft.Extensions.Logging;
using Recsys.Runs;

namespace Recsys.Retraining;

/// <summary>
/// Every log message of this assembly, source-generated in one class: the .NET 10 LoggerMessage generator emits
/// several classes in an unstable order (dotnet/runtime#119587), which made builds non-deterministic.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "{Model} version {Version} was left PENDING by run {RunId}, whose worker stopped; marked FAILED")]
    public static partial void OrphanFailed(ILogger logger, string model, int version, string runId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Run {RunId}: {Step}: epoch {Epoch}/{Epochs}, loss {Loss}")]
    public static partial void Progress(ILogger logger, string runId, string step, int epoch, int epochs, double loss);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Run {RunId}: step {Step} attempt {Attempt} failed; retrying in {Seconds:F1} s: {Error}")]
    public static partial void Retry(ILogger logger, string runId, string step, int attempt, double seconds, string? error);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Run {RunId} finished: {State}: {Outcome}")]
    public static partial void RunFinished(ILogger logger, string runId, RunState state, string? outcome);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Run {RunId} of {Model} started (trigger {Trigger})")]
    public static partial void RunStarted(ILogger logger, string runId, string model, string trigger);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Trigger skipped: {Reason}")]
    public static partial void Skipped(ILogger logger, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "Run {RunId}: step {Step} failed after {Attempts} attempt(s)")]
    public static partial void StepFailed(ILogger logger, Exception exception, string runId, string step, int attempts);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Run {RunId}: step {Step} succeeded after {Attempts} attempt(s)")]
    public static partial void StepFinished(ILogger logger, string runId, string step, int attempts);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Run {RunId}: step {Step} started")]
    public static partial void StepStarted(ILogger logger, string runId, string step);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "Retraining {Phase} failed")]
    public static partial void WorkerFailed(ILogger logger, Exception exception, string phase);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Next retraining run of {Model} is due at {Due:u} ({Why})")]
    public static partial void NextRun(ILogger logger, string model, DateTimeOffset due, string why);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Retention: the artifact of {Model} version {Version} was deleted (beyond the newest {Keep} non-Production versions; its metadata and history are kept)")]
    public static partial void ArtifactDeleted(ILogger logger, string model, int version, int keep);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "The run history could not be read to seed the last-success gauge; it is set by the next successful run")]
    public static partial void SeedFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information, Message = "Nothing to serve: bootstrapping {Model} on {Data}")]
    public static partial void Bootstrapping(ILogger logger, string model, string data);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Information, Message = "Another replica is bootstrapping model {Model}; waiting for it")]
    public static partial void BootstrapWaiting(ILogger logger, string model);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Information, Message = "Not bootstrapping model {Model}: the registry holds {Versions} version(s) of it (a model with versions is never bootstrapped; its stages and aliases are left as they are)")]
    public static partial void BootstrapNotNeeded(ILogger logger, string model, int versions);

    [LoggerMessage(EventId = 3017, Level = LogLevel.Error, Message = "The bootstrap failed; nothing was put at the served stage or alias")]
    public static partial void BootstrapFailed(ILogger logger, Exception exception);
}
