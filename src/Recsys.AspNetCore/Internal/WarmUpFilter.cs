using System.Net;
using Microsoft.AspNetCore.Http;
using Recsys.Serving;

namespace Recsys.AspNetCore;

/// <summary>Marks the host's own warm-up requests (its token, from loopback) so that the service skips cache and metrics for them.</summary>
internal sealed class WarmUpFilter(HttpWarmUp warmUp) : IEndpointFilter
{
    // async, so that the mark (an AsyncLocal) is undone when this request's filter returns.
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Request.Headers.TryGetValue(HttpWarmUp.HeaderName, out var token)
            && token.Count == 1
            && string.Equals(token[0], warmUp.Token, StringComparison.Ordinal)
            && http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote))
        {
            WarmUpScope.Enter();
        }

        return await next(context).ConfigureAwait(false);
    }
}
