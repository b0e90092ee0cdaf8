using Microsoft.Extensions.Logging;

namespace Recsys.AspNetCore;

/// <summary>Every log message of this assembly (event ids 2001–2099, stable across releases).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Request to {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string path);
}
