using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Recsys.Serving;

namespace Recsys.AspNetCore;

/// <summary>
/// Marks the host's own warm-up requests (its token, from loopback) at the front of the pipeline, for every endpoint:
/// the service skips cache and metrics for them, and the warm-up's readiness check answers them healthy, so warming
/// the health endpoints compiles the path real probes take afterwards and logs no failed check per request.
/// </summary>
internal sealed class WarmUpMarker(HttpWarmUp warmUp) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) => IsWarmUp(context) ? MarkedAsync(context, nextMiddleware) : nextMiddleware(context));
        next(app);
    };

    // async, so that the mark (an AsyncLocal) is undone when this request's pipeline returns.
    private static async Task MarkedAsync(HttpContext context, RequestDelegate next)
    {
        WarmUpScope.Enter();
        await next(context).ConfigureAwait(false);
    }

    private bool IsWarmUp(HttpContext context) =>
        context.Request.Headers.TryGetValue(HttpWarmUp.HeaderName, out var token)
        && token.Count == 1
        && string.Equals(token[0], warmUp.Token, StringComparison.Ordinal)
        && context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote);
}
