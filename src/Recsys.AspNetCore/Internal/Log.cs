using Microsoft.Extensions.Logging;

namespace Recsys.AspNetCore;

/// <summary>Every log message of this assembly (event ids 2001–2099, stable across releases).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Request to {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Warm-up done in {Milliseconds:F0} ms: {Requests} requests to {Address}, the JIT compiled {Methods} methods ({QuietRounds} quiet rounds at the end); reporting ready")]
    public static partial void WarmUpDone(ILogger logger, double milliseconds, long requests, string address, long methods, int quietRounds);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Warm-up stopped after {Milliseconds:F0} ms ({Requests} requests), the JIT still compiling ({Methods} methods in the last round): {Reason}; reporting ready")]
    public static partial void WarmUpCut(ILogger logger, double milliseconds, long requests, long methods, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Warm-up skipped: {Reason}")]
    public static partial void WarmUpSkipped(ILogger logger, string reason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Warm-up request {Path} answered HTTP {Status}")]
    public static partial void WarmUpRequestFailed(ILogger logger, string path, int status);
}
