using Microsoft.Extensions.Logging;

namespace Recsys.Serving;

/// <summary>
/// Every log message of this assembly (event ids 1001–1099, stable across releases; 1001, 1007 and 1008, the bootstrap's, are retired: it moved to Recsys.Retraining, 3014–3017), source-generated in one class: the .NET 10 LoggerMessage generator emits
/// several classes in an unstable order (dotnet/runtime#119587), which made builds non-deterministic.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "The distributed cache failed; serving without it for {Seconds} s")]
    public static partial void DistributedCacheFailed(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "The registry change feed failed; re-opening it")]
    public static partial void FeedFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Loading {Target} failed; the previous version keeps serving")]
    public static partial void LoadFailed(ILogger logger, Exception exception, string target);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "Loading the model to serve failed at start-up")]
    public static partial void StartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Serving {Target}: version {Previous} -> {Version}")]
    public static partial void Swapped(ILogger logger, string target, int? previous, int version);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "The {Component} is unavailable; serving degraded (history from this replica) until it answers again")]
    public static partial void Degraded(ILogger logger, Exception exception, string component);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "The {Component} answers again after {Seconds:F1} s; {Fallbacks} requests were served degraded")]
    public static partial void Recovered(ILogger logger, string component, double seconds, long fallbacks);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Retrying a failed model load failed unexpectedly; trying again later")]
    public static partial void RetryFailed(ILogger logger, Exception exception);
}
