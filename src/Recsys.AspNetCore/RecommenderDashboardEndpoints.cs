using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Recsys.AspNetCore.Dashboard;
using Recsys.Registry;
using Recsys.Serving;

namespace Recsys.AspNetCore;

/// <summary>Maps the recommender's dashboard: registry, runs, audit history and live serving, as server-rendered pages.</summary>
public static class RecommenderDashboardEndpoints
{
    /// <summary>
    /// Maps the dashboard under <paramref name="prefix"/>: models and their versions (stage, aliases, algorithm,
    /// parameters, holdout metrics, lineage, size, the version this replica serves), a chart of each metric across
    /// versions, a side-by-side comparison of two versions, retraining runs with a timeline of their steps and the
    /// promotion decision, the audit history with filters, and live serving figures of this replica. Everything it
    /// needs ships in this assembly (no CDN, fonts or third-party script). Pages are read-only for everyone; changes
    /// (promote, move to a stage, set or remove an alias, roll back, start a retraining run) need the admin key
    /// (<see cref="RecommenderHttpOptions.AdminApiKey"/>), entered once on the sign-in page, each behind a page that
    /// shows what will change, each recorded in the audit history as <c>dashboard:NAME</c>. The dashboard shows no
    /// setting, secret or connection string. Add authorization or network rules to the returned group as for any page.
    /// Call <c>services.AddRecommender()</c> first.
    /// </summary>
    /// <param name="endpoints">The application's endpoint builder.</param>
    /// <param name="prefix">The route prefix; <c>/dashboard</c> by default.</param>
    /// <returns>The group of the dashboard's endpoints.</returns>
    public static RouteGroupBuilder MapRecommenderDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/dashboard")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0 && (!prefix.StartsWith('/') || prefix.EndsWith('/')))
        {
            throw new ArgumentException($"The dashboard prefix must start with '/' and not end with one (for example /dashboard); it was '{prefix}'.", nameof(prefix));
        }

        var services = endpoints.ServiceProvider;
        if (services.GetService<IServiceProviderIsService>() is not { } registered
            || !registered.IsService(typeof(IRecommendationService)) || !registered.IsService(typeof(RecommenderHttpMarker)))
        {
            throw new InvalidOperationException("Call services.AddRecommender() before app.MapRecommenderDashboard().");
        }

        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var monitor = new LiveServingMonitor(services.GetRequiredService<IMeterFactory>(), time);
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopped.Register(monitor.Dispose);
        var session = new DashboardSession(services.GetRequiredService<IOptions<RecommenderHttpOptions>>(), time, prefix.Length == 0 ? "/" : prefix);
        var pages = new DashboardPages(prefix, session, monitor, time);

        var group = endpoints.MapGroup(prefix).ExcludeFromDescription().AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            try
            {
                await session.ResolveAsync(context.HttpContext).ConfigureAwait(false);
                return await next(context).ConfigureAwait(false);
            }
            catch (FormTooLargeException e)
            {
                return pages.Error(context.HttpContext, StatusCodes.Status413PayloadTooLarge, "Form too large", e.Message);
            }
            catch (RegistryException e)
            {
                return pages.Error(context.HttpContext, DashboardPages.StatusOf(e), e is RegistryEntryNotFoundException ? "Not found" : "The registry refused the change", e.Message);
            }
            catch (ArgumentException e)
            {
                return pages.Error(context.HttpContext, StatusCodes.Status400BadRequest, "Invalid request", e.Message);
            }
        });
        group.MapGet("/", (Func<HttpContext, Task<IResult>>)pages.OverviewAsync);
        group.MapGet("/models/{name}", (HttpContext context, string name) => pages.ModelAsync(context, name));
        group.MapGet("/models/{name}/compare", (HttpContext context, string name) => pages.CompareAsync(context, name));
        group.MapGet("/models/{name}/confirm", (HttpContext context, string name) => pages.ConfirmAsync(context, name));
        group.MapPost("/models/{name}/actions", (HttpContext context, string name) => pages.ActAsync(context, name)).DisableAntiforgery();
        group.MapGet("/runs", (Func<HttpContext, Task<IResult>>)pages.RunsAsync);
        group.MapGet("/runs/confirm", (Func<HttpContext, IResult>)pages.ConfirmRetrain);
        group.MapPost("/runs", (Func<HttpContext, Task<IResult>>)pages.RetrainAsync).DisableAntiforgery();
        group.MapGet("/runs/{id}", (HttpContext context, string id) => pages.RunAsync(context, id));
        group.MapGet("/audit", (Func<HttpContext, Task<IResult>>)pages.AuditAsync);
        group.MapGet("/live", (Func<HttpContext, Task<IResult>>)pages.LiveAsync);
        group.MapGet("/live.json", (Func<HttpContext, Task<IResult>>)pages.LiveJsonAsync);
        group.MapGet("/signin", (Func<HttpContext, IResult>)pages.SignInPage);
        group.MapPost("/signin", (Func<HttpContext, Task<IResult>>)pages.SignInAsync).DisableAntiforgery();
        group.MapPost("/signout", (Func<HttpContext, Task<IResult>>)pages.SignOutAsync).DisableAntiforgery();
        group.MapGet("/assets/{file}", (string file) => DashboardAssets.Get(file));
        return group;
    }
}
