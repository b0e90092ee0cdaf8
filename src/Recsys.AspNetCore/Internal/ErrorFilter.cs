using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Recsys.Registry;
using Recsys.Serving;

namespace Recsys.AspNetCore;

/// <summary>Turns the service's exceptions into problem details; anything unexpected is a 500 without internals.</summary>
internal sealed class ErrorFilter(ILogger<ErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (ModelUnavailableException e)
        {
            context.HttpContext.Response.Headers.RetryAfter = "5";
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "No model to serve", e.Message);
        }
        catch (InteractionStoreUnavailableException e)
        {
            context.HttpContext.Response.Headers.RetryAfter = "5";
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Interaction store unavailable", e.Message);
        }
        catch (System.Data.Common.DbException e)
        {
            // A database outage on a path with nothing in memory to fall back on (for example loading a model first asked for now).
            Log.RequestFailed(logger, e, context.HttpContext.Request.Path);
            context.HttpContext.Response.Headers.RetryAfter = "5";
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Database unavailable", $"The registry database did not answer ({e.Message}); retry later.");
        }
        catch (Exception e) when (e is InvalidQueryException or UnknownAlgorithmException)
        {
            return Problems.BadRequest(e.Message);
        }
        catch (BadHttpRequestException e)
        {
            return Problems.Create(e.StatusCode, "Bad request", e.Message);
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (Exception e) when (e is RegistryException or System.Data.Common.DbException or IOException or InvalidOperationException)
        {
            Log.RequestFailed(logger, e, context.HttpContext.Request.Path);
            return Problems.Create(StatusCodes.Status500InternalServerError, "Internal error", $"The request failed ({e.GetType().Name}); the server log has the details. Trace id: {context.HttpContext.TraceIdentifier}.");
        }
    }
}
