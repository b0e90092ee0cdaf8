using Recsys.Tests.Shared;

namespace Recsys.LoadTest.Tests;

/// <summary>The load generator against a scripted server on loopback: what it counts and how it measures.</summary>
public sealed class LoadRunnerTests
{
    private static readonly string[] Users = ["1", "2", "3"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RequestCount_MeasuresExactlyThatManyRequests()
    {
        await using var server = await FakeServer.StartAsync();

        var report = await LoadRunner.RunAsync(Settings(server, users: 8, requests: 500), Ct);

        Assert.Equal(500, report.Overall.Requests);
        Assert.Equal(500, report.Tasks.Single().Requests);
        Assert.True(server.Recommendations >= 500, $"the server answered {server.Recommendations}");
        Assert.Equal(0, report.Overall.Failures);
    }

    [Fact]
    public async Task Failures_AreCountedPerTask_AndTheSuccessRateFollows()
    {
        await using var server = await FakeServer.StartAsync();
        server.FilteredStatus = 503;

        var report = await LoadRunner.RunAsync(Settings(server, users: 4, requests: 400, mix: [("recommendations", 1), ("filtered", 1)]), Ct);

        var filtered = report.Tasks.Single(t => t.Task == "filtered");
        var recommendations = report.Tasks.Single(t => t.Task == "recommendations");
        Assert.Equal(filtered.Requests, filtered.Failures);
        Assert.Equal(0, recommendations.Failures);
        Assert.True(filtered.Requests > 100 && recommendations.Requests > 100, $"{filtered.Requests} filtered, {recommendations.Requests} recommendations");
        Assert.Equal(filtered.Failures, report.Overall.Failures);
        Assert.Equal(1 - ((double)filtered.Failures / 400), report.Overall.SuccessRate, 12);
        Assert.Contains(report.SampleErrors, e => e.StartsWith("filtered: HTTP 503", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BothClients_SendTheMixTheServerAccepts(bool httpClient)
    {
        await using var server = await FakeServer.StartAsync();

        var report = await LoadRunner.RunAsync(
            Settings(server, users: 4, requests: 300, mix: [("recommendations", 1), ("filtered", 1), ("health", 1)]) with { UseHttpClient = httpClient }, Ct);

        Assert.Equal(0, report.Overall.Failures);
        Assert.Equal(["filtered", "health", "recommendations"], report.Tasks.Select(t => t.Task));
        Assert.True(server.Filtered >= report.Tasks.Single(t => t.Task == "filtered").Requests, $"the server accepted {server.Filtered} filtered bodies");
    }

    [Fact]
    public async Task FixedRate_ARequestQueuedBehindAStall_CountsItsWaitFromItsScheduledTime()
    {
        // One user, 100 requests/s, and the server holds the 50th request for 400 ms. The ~40 requests due during the
        // stall wait for the user; without coordinated omission each one's latency runs from when it was due, so
        // the slowest tenth of the samples are all at least ~300 ms. (A closed loop would record one slow sample.)
        await using var server = await FakeServer.StartAsync();
        server.StallRequest = 50;
        server.Stall = TimeSpan.FromMilliseconds(400);

        var report = await LoadRunner.RunAsync(Settings(server, users: 1, duration: TimeSpan.FromSeconds(2), rate: 100), Ct);

        // The stall is a 400 ms timer on the server; the client's clock can see it end a millisecond sooner (399.26
        // was measured once in CI), so the bound leaves the timers' resolution.
        Assert.True(report.Overall.Max >= 390, $"max {report.Overall.Max} ms");
        Assert.True(report.Overall.P95 >= 200, $"p95 {report.Overall.P95} ms: the requests queued behind the stall were timed from when they were sent");
        Assert.Equal(0, report.Overall.Failures);
    }

    [Fact]
    public async Task Reloads_AreSentDuringTheRun_AndTheirFailuresAreCountedApart()
    {
        await using var server = await FakeServer.StartAsync();

        var refused = await LoadRunner.RunAsync(Settings(server, users: 2, duration: TimeSpan.FromSeconds(1.5), reloadEvery: TimeSpan.FromMilliseconds(200), apiKey: "wrong"), Ct);
        var accepted = await LoadRunner.RunAsync(Settings(server, users: 2, duration: TimeSpan.FromSeconds(1.5), reloadEvery: TimeSpan.FromMilliseconds(200), apiKey: "key"), Ct);

        Assert.True(refused.Reloads > 0, "no reload was sent");
        Assert.Equal(refused.Reloads, refused.ReloadFailures);
        Assert.Contains("refused the admin key", refused.ReloadError, StringComparison.Ordinal);
        Assert.Equal(0, refused.Overall.Failures);
        Assert.True(accepted.Reloads > 0, "no reload was sent");
        Assert.Equal(0, accepted.ReloadFailures);
        Assert.Null(accepted.ReloadError);
    }

    [Theory]
    [InlineData(0.50, 50)]
    [InlineData(0.95, 95)]
    [InlineData(0.99, 99)]
    [InlineData(0.999, 100)]
    [InlineData(1.0, 100)]
    [InlineData(0.001, 1)]
    [InlineData(0.07, 7)]
    public void Percentile_IsTheNearestRank(double p, double expected)
    {
        var sorted = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();

        Assert.Equal(expected, LoadRunner.Percentile(sorted, p));
    }

    [Fact]
    public void Percentile_WithoutSamples_IsNaN() => Assert.True(double.IsNaN(LoadRunner.Percentile([], 0.5)));

    [Fact]
    public async Task Targets_AMissedOneExitsWithTwoAndSaysWhich()
    {
        await using var server = await FakeServer.StartAsync();
        server.FilteredStatus = 500;
        string[] common = ["--url", server.Url.ToString(), "--users", "2", "--requests", "100", "--warmup", "50ms", "--user-range", "1-3"];

        var (missed, _, error) = await RunAsync([.. common, "--mix", "recommendations=1,filtered=1", "--target-success", "99"]);
        var (met, output, _) = await RunAsync([.. common, "--mix", "recommendations=1", "--target-success", "99"]);

        Assert.Equal(2, missed);
        Assert.Contains("target missed: success", error, StringComparison.Ordinal);
        Assert.Equal(0, met);
        Assert.Contains("| recommendations | 100 | 0 | 100.000 % |", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reloads_RefusedForTheKey_ExitWithTwoAndSayWhy()
    {
        await using var server = await FakeServer.StartAsync();

        var (exit, _, error) = await RunAsync(["--url", server.Url.ToString(), "--users", "2", "--duration", "1500ms", "--warmup", "50ms", "--user-range", "1-3", "--reload-every", "200ms", "--api-key", "wrong"]);

        Assert.Equal(2, exit);
        Assert.Contains("reloads failed: the host refused the admin key (HTTP 4", error, StringComparison.Ordinal);
    }

    private static LoadSettings Settings(
        FakeServer server, int users, long? requests = null, TimeSpan? duration = null, double? rate = null,
        IReadOnlyList<(string, int)>? mix = null, TimeSpan? reloadEvery = null, string? apiKey = null) =>
        new(server.Url, users, duration ?? TimeSpan.FromSeconds(30), TimeSpan.Zero, requests, rate, TimeSpan.Zero,
            mix ?? [("recommendations", 1)], Users, reloadEvery, apiKey);

    private static Task<(int Exit, string Output, string Error)> RunAsync(string[] arguments) =>
        DotnetProcess.RunAsync(Path.Combine(AppContext.BaseDirectory, "recsys-loadtest.dll"), arguments, Ct);
}
