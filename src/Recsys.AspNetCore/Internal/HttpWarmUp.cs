using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Serving;

namespace Recsys.AspNetCore;

/// <summary>
/// Warms the host before it reports ready: once the server listens and a model is loaded, it sends itself the
/// serving endpoints' requests over loopback (recommendations for known and unknown users, with filters, similar
/// items) from several connections at once, in rounds, until the JIT has compiled the hot path — at least 20,000
/// requests, and four rounds (a second) in a row in which it compiled almost nothing (the runtime promotes methods to
/// tier 1 in batches, so a shorter quiet spell can be a pause between batches) — or <see cref="RecommenderHttpOptions.WarmUpTimeout"/> passes. Until then its
/// readiness check is unhealthy. Without it the first seconds of traffic run the request path as tier-0 code and
/// queue behind its tier-1 compilation on small machines (README "Cold start").
/// </summary>
/// <remarks>
/// The requests carry a per-process random token, so only this service's requests are treated as warm-up (no cache
/// entry, no serving metrics: see <see cref="WarmUpScope"/>); a client that sends the header without the token is an
/// ordinary client.
/// </remarks>
internal sealed class HttpWarmUp(
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ModelProvider models,
    IOptions<RecommenderHttpOptions> options,
    ILogger<HttpWarmUp> logger) : BackgroundService, IHealthCheck
{
    public const string HeaderName = "X-Recsys-Warm-Up";
    public const string CheckName = "recsys-warm-up";
    private const int RoundMilliseconds = 250;
    private const int QuietMethods = 10;
    private const int QuietRoundsNeeded = 4;
    private const int MinRequests = 20_000;
    private readonly TaskCompletionSource<string> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _requests;
    private long _lastRoundMethods = -1;

    /// <summary>Gets the token that marks this process's warm-up requests.</summary>
    public string Token { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_done.Task.IsCompleted
            ? HealthCheckResult.Healthy(_done.Task.Result)
            : WarmUpScope.Active
            ? HealthCheckResult.Healthy("A warm-up request: answered as a ready host would be.")
            : HealthCheckResult.Unhealthy(string.Create(
                CultureInfo.InvariantCulture,
                $"Warming up: {Interlocked.Read(ref _requests)} requests so far, {(_lastRoundMethods < 0 ? "waiting for the server and a model" : $"{_lastRoundMethods} methods compiled in the last round")}.")));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            _done.TrySetResult(await WarmUpAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _done.TrySetResult("The host stopped during the warm-up.");
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // A warm-up that cannot run (a refused connection, a request timing out …) must neither stop the host (an
            // exception out of a BackgroundService would) nor keep it from serving: it reports ready, and says why.
            Log.WarmUpSkipped(logger, $"{e.GetType().Name}: {e.Message}");
            _done.TrySetResult($"Warm-up failed: {e.Message}");
        }
    }

    private async Task<string> WarmUpAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.WarmUp)
        {
            return "Warm-up is off (Recsys:WarmUp).";
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }

        if (LoopbackAddress() is not { } address)
        {
            Log.WarmUpSkipped(logger, "the server listens on no HTTP address this process can reach (an in-memory test server?)");
            return "Warm-up skipped: no HTTP address.";
        }

        var paths = Paths();
        if (paths.User is null)
        {
            Log.WarmUpSkipped(logger, "the recommendation endpoints are not mapped (app.MapRecommender())");
            return "Warm-up skipped: no recommendation endpoints.";
        }

        var clock = Stopwatch.StartNew();
        ServedModel? model;
        while ((model = models.Current) is null)
        {
            if (clock.Elapsed > settings.WarmUpTimeout + TimeSpan.FromMinutes(10))
            {
                return "Warm-up skipped: no model was loaded.";
            }

            await Task.Delay(100, stoppingToken).ConfigureAwait(false);
        }

        clock.Restart();
        var workers = Math.Max(8, 4 * Environment.ProcessorCount);
        var quiet = 0;
        var before = System.Runtime.JitInfo.GetCompiledMethodCount();
        var firstMethods = before;
        while (true)
        {
            // New connections every round: accepting and setting up a connection is part of the path that traffic
            // from many clients (or a load balancer's pool) takes in its first second.
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = workers, UseProxy = false };
            using var client = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Add(HeaderName, Token);
            using var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            round.CancelAfter(RoundMilliseconds);
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => SendUntilAsync(client, paths, model, w, round.Token))).ConfigureAwait(false);
            stoppingToken.ThrowIfCancellationRequested();
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            _lastRoundMethods = now - before;
            before = now;
            quiet = _lastRoundMethods < QuietMethods ? quiet + 1 : 0;
            if (quiet >= QuietRoundsNeeded && _requests >= MinRequests)
            {
                Log.WarmUpDone(logger, clock.Elapsed.TotalMilliseconds, _requests, address.ToString(), now - firstMethods, quiet);
                return string.Create(CultureInfo.InvariantCulture, $"Warmed up in {clock.Elapsed.TotalSeconds:F1} s ({_requests} requests; the JIT compiled {now - firstMethods} methods).");
            }

            if (clock.Elapsed > settings.WarmUpTimeout)
            {
                Log.WarmUpCut(logger, clock.Elapsed.TotalMilliseconds, _requests, _lastRoundMethods, "Recsys:WarmUpTimeout passed");
                return string.Create(CultureInfo.InvariantCulture, $"Warm-up cut at {clock.Elapsed.TotalSeconds:F1} s (Recsys:WarmUpTimeout); the JIT was still compiling.");
            }

            model = models.Current ?? model;
        }
    }

    // One connection's share of a round: the serving requests in turn, with users and items drawn from the model.
    private async Task SendUntilAsync(HttpClient client, (string? User, string? Post, string? Similar, string[] Health) paths, ServedModel model, int worker, CancellationToken round)
    {
        var random = new Random(worker);
        var users = model.Model.Users;
        var items = model.Model.Items;
        var genre = model.HasMetadata ? model.Attributes.FirstOrDefault(a => a?.Genres.Count > 0)?.Genres[0] : null;
        for (var k = worker; !round.IsCancellationRequested; k++)
        {
            var user = users.Count > 0 ? users[random.Next(users.Count)] : "warm-up";
            using var request = (k % 6) switch
            {
                5 when paths.Health.Length > 0 => new HttpRequestMessage(HttpMethod.Get, paths.Health[k / 6 % paths.Health.Length]),
                0 or 1 => new HttpRequestMessage(HttpMethod.Get, paths.User!.Replace("{user_id}", Uri.EscapeDataString(user), StringComparison.Ordinal) + "?num_recommendations=10"),
                2 when paths.Post is not null => new HttpRequestMessage(HttpMethod.Post, paths.Post)
                {
                    Content = new StringContent(
                        "{\"user_id\":" + Json(user) + ",\"num_recommendations\":10,\"filters\":{"
                            + (genre is null ? "" : "\"exclude_genres\":[" + Json(genre) + "],") + "\"min_score\":0.01}}",
                        Encoding.UTF8,
                        "application/json"),
                },
                3 when paths.Similar is not null && model.Similarity is not null && items.Count > 0 => new HttpRequestMessage(HttpMethod.Get, paths.Similar.Replace("{item_id}", Uri.EscapeDataString(items[random.Next(items.Count)]), StringComparison.Ordinal) + "?num_recommendations=10"),
                _ => new HttpRequestMessage(HttpMethod.Get, paths.User!.Replace("{user_id}", "warm-up-unknown-user", StringComparison.Ordinal) + "?num_recommendations=10"),
            };
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, round).ConfigureAwait(false);
                Interlocked.Increment(ref _requests);
                if ((int)response.StatusCode >= 500)
                {
                    Log.WarmUpRequestFailed(logger, request.RequestUri!.ToString(), (int)response.StatusCode);
                }
            }
            catch (OperationCanceledException) when (round.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static string Json(string text) => "\"" + System.Text.Json.JsonEncodedText.Encode(text) + "\"";

    // The mapped routes of the recommendation endpoints (the prefix is the host's choice), by their endpoint names, and
    // of the host's health checks (probes and load balancers call them as often as the API).
    private (string? User, string? Post, string? Similar, string[] Health) Paths()
    {
        var endpoints = services.GetService(typeof(EndpointDataSource)) as EndpointDataSource;
        string? Find(string name) => endpoints?.Endpoints.OfType<RouteEndpoint>()
            .FirstOrDefault(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == name)?.RoutePattern.RawText is { } raw
            ? "/" + raw.TrimStart('/')
            : null;
        var health = endpoints?.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.DisplayName == "Health checks" && e.RoutePattern.Parameters.Count == 0 && e.RoutePattern.RawText is not null)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .ToArray() ?? [];
        return (Find("RecommendForUser"), Find("Recommend"), Find("SimilarItems"), health);
    }

    // An address of the server on this machine: a wildcard or any-address binding is reached through loopback.
    private Uri? LoopbackAddress()
    {
        var server = services.GetService(typeof(IServer)) as IServer;
        foreach (var text in server?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            if (!text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || !Uri.TryCreate(text.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri))
            {
                continue;
            }

            var host = uri.Host is "0.0.0.0" or "[::]" or "::" || (IPAddress.TryParse(uri.Host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
                ? "127.0.0.1"
                : uri.Host;
            return new UriBuilder(uri) { Host = host, Path = "/" }.Uri;
        }

        return null;
    }
}
