using Microsoft.Extensions.Logging;

namespace Recsys.AspNetCore;

/// <summary>
/// Every log message of this assembly, source-generated in one class: the .NET 10 LoggerMessage generator emits
/// several classes in an unstable order (dotnet/runtime#119587), which made builds non-deterministic.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Nothing to serve: bootstrapping {Algorithm} on {Data}")]
    public static partial void Bootstrapping(ILogger logger, string algorithm, string data);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The distributed cache failed; serving without it for {Seconds} s")]
    public static partial void DistributedCacheFailed(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The registry change feed failed; re-opening it")]
    public static partial void FeedFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Loading {Target} failed; the previous version keeps serving")]
    public static partial void LoadFailed(ILogger logger, Exception exception, string target);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request to {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Loading the model to serve failed at start-up")]
    public static partial void StartFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Target}: version {Previous} -> {Version}")]
    public static partial void Swapped(ILogger logger, string target, int? previous, int version);
}
