using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Recsys.Registry;
using Recsys.Tests.Shared;

namespace Recsys.AspNetCore.Tests;

/// <summary>The host warms its serving path before it reports ready, without touching real users' cache entries.</summary>
public sealed class WarmUpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WarmUp_KeepsReadinessUnhealthyUntilDone_AndLeavesNoCacheEntryForARealRequest()
    {
        using var directory = new TempDirectory();
        await TestModels.RegisterAsync(ModelRegistries.OpenSqlite(directory.Path), seed: 1);
        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(directory.Path), kestrel: true, warmUp: true);

        // At least 20,000 requests before ready: the first probe finds it warming up.
        using (var first = await host.Client.GetAsync("/health/ready", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        }

        var warmUp = host.Services.GetRequiredService<HttpWarmUp>();

        // The warm-up's own probes (its token, from loopback) are answered as a ready host would answer them, so warming
        // the health endpoints logs no failed check; any other caller still sees it warming up.
        using (var own = new HttpRequestMessage(HttpMethod.Get, "/health/ready"))
        {
            own.Headers.Add(HttpWarmUp.HeaderName, warmUp.Token);
            using var answer = await host.Client.SendAsync(own, Ct);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        using (var forged = new HttpRequestMessage(HttpMethod.Get, "/health/ready"))
        {
            forged.Headers.Add(HttpWarmUp.HeaderName, "not-the-token");
            using var answer = await host.Client.SendAsync(forged, Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        }

        var report = await warmUp.CheckHealthAsync(new HealthCheckContext(), Ct);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.StartsWith("Warming up", report.Description, StringComparison.Ordinal);

        // The warm-up runs over real loopback HTTP in the background; readiness is what an orchestrator polls.
        await Poll.UntilAsync(
            async () =>
            {
                using var probe = await host.Client.GetAsync("/health/ready", Ct);
                return probe.StatusCode == HttpStatusCode.OK;
            },
            "/health/ready answered 200 after the warm-up",
            cancellationToken: Ct);
        report = await warmUp.CheckHealthAsync(new HealthCheckContext(), Ct);
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Matches(@"^(Warmed up|Warm-up cut) ", report.Description);

        // The warm-up asked for these users' lists, under keys of its own: a real request is computed (a miss), then cached.
        var user = TestModels.Dataset.Users[0];
        Assert.False(await CacheHitAsync(host.Client, user, header: null));
        Assert.True(await CacheHitAsync(host.Client, user, header: null));

        // The header without this process's token is an ordinary request (cached); with it, it keeps to its own keys.
        var other = TestModels.Dataset.Users[1];
        Assert.False(await CacheHitAsync(host.Client, other, header: "not-the-token"));
        Assert.True(await CacheHitAsync(host.Client, other, header: "not-the-token"));
        var third = TestModels.Dataset.Users[2];
        Assert.False(await CacheHitAsync(host.Client, third, header: warmUp.Token));
        Assert.False(await CacheHitAsync(host.Client, third, header: null));
    }

    private static async Task<bool> CacheHitAsync(HttpClient client, string user, string? header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/users/{Uri.EscapeDataString(user)}/recommendations?num_recommendations=5");
        if (header is not null)
        {
            request.Headers.Add(HttpWarmUp.HeaderName, header);
        }

        using var response = await client.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return body.GetProperty("cache_hit").GetBoolean();
    }
}
