using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Recsys.AspNetCore;
using Recsys.Registry;
using Recsys.Runs;
using Recsys.Tests.Shared;

namespace Recsys.Retraining.Tests;

/// <summary>The whole loop: retraining on ml-latest-small, a web host on the same registry, HTTP-started runs.</summary>
public sealed class EndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MovieLens_ThreeCandidatesInParallel_BestPromotedOnlyWhenBetter_WebHostServesItByItself()
    {
        var ratings = FindMovieLens();
        using var workspace = Workspace.Sqlite();
        await using var web = await StartWebAsync(workspace.Location, retraining: false);
        var service = new RetrainingService(workspace.Registry, workspace.Runs, InteractionSources.File(ratings), Options.Create(MovieLensOptions()), NullLogger<RetrainingService>.Instance);

        var first = await service.RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, first.State);
        var trains = first.Steps.Where(s => s.Name.StartsWith("train", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, trains.Count);
        Assert.Contains(trains, a => trains.Any(b => a != b && a.StartedAt < b.FinishedAt && b.StartedAt < a.FinishedAt)); // they overlapped: parallel
        var versions = await workspace.Registry.ListVersionsAsync("movies", Ct);
        Assert.Equal(3, versions.Count);
        Assert.All(versions, v => Assert.InRange(v.Metrics["rmse"], 0.8, 1.2)); // measured on the temporal split, not hard-coded
        var production = await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct);
        Assert.Equal(versions.MinBy(v => v.Metrics["rmse"])!.Version, production!.Version);
        await web.SwappedAsync(production.Version); // the host loads the promotion by itself (change feed)

        // Same data, same candidates: nothing changed, so no version is registered again and nothing is promoted.
        var second = await service.RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, second.State);
        Assert.DoesNotContain("Promote:", second.Decision, StringComparison.Ordinal);
        Assert.Equal(3, second.Decision!.Split("unchanged: v").Length - 1);
        Assert.Equal(production.Version, (await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct))!.Version);
        Assert.Equal(3, (await workspace.Registry.ListVersionsAsync("movies", Ct)).Count);
        Assert.Equal(production.Version, await ServedVersionAsync(web.Client));
    }

    [Fact]
    public async Task RetrainOverHttp_Returns202WithARunId_AndTheRunIsQueryable()
    {
        using var workspace = Workspace.Sqlite();
        await using var web = await StartWebAsync(workspace.Location, retraining: true);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/models/retrain");
        request.Headers.Add("X-Api-Key", "key");
        using var response = await web.Client.SendAsync(request, Ct);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = accepted.GetProperty("run_id").GetString()!;
        await RunCompletion.WaitAsync(web.Services.GetRequiredService<RetrainingService>(), runId, Ct);
        var served = web.SwappedAsync((await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct))!.Version);
        var run = await AdminGetAsync(web.Client, $"/runs/{runId}");

        Assert.Equal("Succeeded", run.GetProperty("state").GetString());
        Assert.Equal("api", run.GetProperty("trigger").GetString());
        Assert.Equal(runId, (await AdminGetAsync(web.Client, "/runs"))[0].GetProperty("id").GetString());
        using var unknown = new HttpRequestMessage(HttpMethod.Get, "/runs/nope");
        unknown.Headers.Add("X-Api-Key", "key");
        Assert.Equal(HttpStatusCode.NotFound, (await web.Client.SendAsync(unknown, Ct)).StatusCode);

        // The run history names hosts, process ids and paths: without the key it is refused.
        using var anonymous = await web.Client.GetAsync("/runs", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        await served; // the host loads what the run promoted (change feed)
    }

    [Fact]
    public async Task Worker_DataVolumeTrigger_RunsWhenEnoughInteractionsArrive()
    {
        using var workspace = Workspace.Sqlite();
        var store = new CountingStore(workspace.Interactions);
        var options = new RetrainingOptions { ModelName = "movies", Split = "random:0.2", MinNewInteractions = 50, TriggerCheckInterval = TimeSpan.FromMilliseconds(100) };
        options.Candidates.Add(new CandidateOptions { Algorithm = "biased-mf", Settings = new Recommenders.AlgorithmSettings { Epochs = 3 } });
        var service = new RetrainingService(workspace.Registry, workspace.Runs, InteractionSources.Store(store, InteractionSources.FromDelegate("small", _ => Task.FromResult(Workspace.SmallData))), Options.Create(options), NullLogger<RetrainingService>.Instance, store);
        using var worker = new RetrainingWorker(service, TimeProvider.System, NullLogger<RetrainingWorker>.Instance);
        await worker.StartAsync(Ct);

        await store.AppendAsync([.. Enumerable.Range(0, 49).Select(i => new Recsys.Data.Interaction("u1", $"i{i}", 4, i))], Ct);
        await store.CountedAsync(store.Counts + 2); // the worker counted the 49 at least twice (a check finished after the append)

        Assert.Empty(await workspace.Runs.ListRunsAsync("movies", 10, Ct)); // 49 < 50: no run

        var finished = RunCompletion.NextAsync(service, _ => true, null, Ct);
        await store.AppendAsync([new Recsys.Data.Interaction("u1", "i49", 4, 49)], Ct);
        await finished;
        var runs = await workspace.Runs.ListRunsAsync("movies", 10, Ct);

        await worker.StopAsync(Ct);
        Assert.Equal(("data-volume", RunState.Succeeded, 50L), (runs[0].Trigger, runs[0].State, runs[0].InteractionCount));
        Assert.Single(runs);
    }

    [Fact]
    public async Task Worker_IntervalTrigger_OnAFakeClock_RunsAgainOnlyAfterTheInterval()
    {
        var clock = new WorkerClock(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        using var workspace = Workspace.Sqlite(clock);
        var options = new RetrainingOptions { ModelName = "movies", Split = "random:0.2", Interval = TimeSpan.FromHours(1), TriggerCheckInterval = TimeSpan.FromMinutes(1) };
        options.Candidates.Add(new CandidateOptions { Algorithm = "biased-mf", Settings = new Recommenders.AlgorithmSettings { Epochs = 2 } });
        options.Promotion.PrimaryMetric = "rmse";
        var service = new RetrainingService(workspace.Registry, workspace.Runs, InteractionSources.FromDelegate("small", _ => Task.FromResult(Workspace.SmallData)), Options.Create(options), NullLogger<RetrainingService>.Instance, time: clock);
        using var worker = new RetrainingWorker(service, clock, NullLogger<RetrainingWorker>.Instance);
        await worker.StartAsync(Ct);

        // No run yet: the schedule is due at once. Then fake minutes pass, one at a time, until the second run.
        var first = await WaitForRunsAsync(workspace, 1, advance: null);
        var runs = await WaitForRunsAsync(workspace, 2, advance: clock);
        await worker.StopAsync(Ct);

        Assert.All(runs, r => Assert.Equal(("schedule", RunState.Succeeded), (r.Trigger, r.State)));
        var gap = runs[0].StartedAt - first[0].StartedAt;
        Assert.True(gap >= TimeSpan.FromHours(1) && gap <= TimeSpan.FromHours(1) + TimeSpan.FromMinutes(2), $"the second run started {gap} (fake time) after the first");
    }

    [Fact]
    public async Task Worker_FailedRun_IsRetriedWithBackoff_NotAfterAWholeInterval()
    {
        // The stores on the same fake clock: with the system's, a run's finish was the real time, and after 08:00 UTC
        // of 2026-12-03 (a day after the fake start) the daily schedule fell due before the retry did.
        var clock = new WorkerClock(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        using var workspace = Workspace.Sqlite(clock);
        var options = new RetrainingOptions { ModelName = "movies", Split = "random:0.2", Interval = TimeSpan.FromDays(1), TriggerCheckInterval = TimeSpan.FromSeconds(10) };
        options.Load.MaxAttempts = 1;
        options.Candidates.Add(new CandidateOptions { Algorithm = "biased-mf", Settings = new Recommenders.AlgorithmSettings { Epochs = 2 } });
        options.Promotion.PrimaryMetric = "rmse";
        var loads = 0;
        var source = InteractionSources.FromDelegate("flaky", _ => Interlocked.Increment(ref loads) == 1
            ? throw new IOException("the data share is not mounted yet")
            : Task.FromResult(Workspace.SmallData));
        var service = new RetrainingService(workspace.Registry, workspace.Runs, source, Options.Create(options), NullLogger<RetrainingService>.Instance, time: clock);
        using var worker = new RetrainingWorker(service, clock, NullLogger<RetrainingWorker>.Instance);
        await worker.StartAsync(Ct);

        var runs = await WaitForRunsAsync(workspace, 2, advance: clock);
        await worker.StopAsync(Ct);

        Assert.Equal(("retry", RunState.Succeeded), (runs[0].Trigger, runs[0].State));
        Assert.Equal(("schedule", RunState.Failed), (runs[1].Trigger, runs[1].State));
        var gap = runs[0].StartedAt - runs[1].FinishedAt!.Value;
        Assert.True(gap >= TimeSpan.FromSeconds(30) && gap < TimeSpan.FromMinutes(3), $"the retry came {gap} (fake time) after the failure; the interval is a day");
    }

    [Theory]
    [InlineData(1, null, 30)]
    [InlineData(2, null, 60)]
    [InlineData(4, null, 240)]
    [InlineData(12, null, 3600)]
    [InlineData(12, 600, 600)]
    public void RetryDelay_DoublesFrom30Seconds_UpToTheIntervalOrAnHour(int failures, int? intervalSeconds, int expectedSeconds)
    {
        var options = new RetrainingOptions { Interval = intervalSeconds is { } i ? TimeSpan.FromSeconds(i) : null };

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), RetrainingWorker.RetryDelay(options, failures));
    }

    /// <summary>Waits (real time, 30 s at most) until <paramref name="count"/> runs finished, advancing the fake clock a minute per look while no run is going.</summary>
    private static async Task<IReadOnlyList<RetrainingRun>> WaitForRunsAsync(Workspace workspace, int count, WorkerClock? advance)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var runs = await workspace.Runs.ListRunsAsync("movies", 10, Ct);
            if (runs.Count >= count && runs.All(r => r.State != RunState.Running))
            {
                return runs;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{runs.Count} of {count} runs finished within 30 s");

            // Fake time moves only while the worker sleeps on its timer: a run's own (real) duration, or a worker
            // slowed by a busy machine between waking and sleeping again, must never count as fake minutes, or the
            // retry would come "hours" after the failure.
            if (advance is { Sleeping: true } && runs.All(r => r.State != RunState.Running))
            {
                advance.Advance(TimeSpan.FromMinutes(1));
            }

            await Task.Delay(10, Ct);
        }
    }

    /// <summary>A fake clock that knows whether the worker sleeps: the last timer set on it has not fired yet.</summary>
    private sealed class WorkerClock(DateTimeOffset start) : Microsoft.Extensions.Time.Testing.FakeTimeProvider(start)
    {
        private long _lastDue = long.MinValue;

        public bool Sleeping => GetUtcNow().UtcTicks < Interlocked.Read(ref _lastDue);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Exchange(ref _lastDue, (GetUtcNow() + dueTime).UtcTicks);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    private static RetrainingOptions MovieLensOptions()
    {
        var options = new RetrainingOptions { ModelName = "movies", Split = "temporal:0.2", MaxParallelism = 2 };
        options.Promotion.PrimaryMetric = "rmse";
        options.Promotion.MinImprovement = 0.001;
        foreach (var algorithm in new[] { "biased-mf", "als", "svdpp" })
        {
            options.Candidates.Add(new CandidateOptions { Algorithm = algorithm });
        }

        return options;
    }

    private static string FindMovieLens()
    {
        if (Environment.GetEnvironmentVariable("RECSYS_MOVIELENS_DIR") is { Length: > 0 } configured && File.Exists(Path.Combine(configured, "ratings.csv")))
        {
            return Path.Combine(configured, "ratings.csv");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "ml-latest-small", "ratings.csv");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Skip("MovieLens latest-small was not found (../shared/data/ml-latest-small or RECSYS_MOVIELENS_DIR).");
        return "";
    }

    private static async Task<WebHost> StartWebAsync(string registry, bool retraining)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseTestServer();
        builder.Services.AddRecommender(o =>
        {
            o.ModelName = "movies";
            o.CacheDuration = TimeSpan.Zero;
        }).UseSqlite(registry);
        builder.Services.Configure<RecommenderHttpOptions>(o => o.AdminApiKey = "key");
        if (retraining)
        {
            builder.Services.AddSingleton(InteractionSources.FromDelegate("small", _ => Task.FromResult(Workspace.SmallData)));
            builder.Services.AddRetraining(o =>
            {
                o.ModelName = "movies";
                o.Split = "random:0.2";
                o.Promotion.PrimaryMetric = "rmse"; // a rating candidate
                o.Candidates.Add(new CandidateOptions { Algorithm = "biased-mf", Settings = new Recommenders.AlgorithmSettings { Epochs = 3 } });
            });
        }

        var app = builder.Build();
        app.MapRecommender();
        if (retraining)
        {
            app.MapRetraining();
        }

        await app.StartAsync(Ct);
        return new WebHost(app);
    }

    private static async Task<JsonElement> AdminGetAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", "key");
        using var response = await client.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static async Task<int?> ServedVersionAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/stats", Ct);
        var stats = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return stats.TryGetProperty("model", out var model) ? model.GetProperty("version").GetInt32() : null;
    }

    private sealed class WebHost(WebApplication app) : IAsyncDisposable
    {
        public HttpClient Client { get; } = app.GetTestClient();

        public IServiceProvider Services => app.Services;

        /// <summary>Completes when the host serves <paramref name="version"/> (the provider's swap event).</summary>
        public Task SwappedAsync(int version) => ServedVersions.SwappedAsync(app.Services, version, Poll.HangGuard, Ct);

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    /// <summary>The interaction store, counting how often the worker asks for the number of interactions.</summary>
    private sealed class CountingStore(Recsys.Data.IInteractionStore inner) : Recsys.Data.IInteractionStore
    {
        private readonly CountSignal _counts = new();

        public int Counts => (int)_counts.Count;

        /// <summary>Completes once the worker has asked for the count <paramref name="counts"/> times in all.</summary>
        public Task CountedAsync(int counts) => _counts.AtLeastAsync(counts, Ct);

        public Task AppendAsync(IReadOnlyList<Recsys.Data.Interaction> interactions, CancellationToken cancellationToken) => inner.AppendAsync(interactions, cancellationToken);

        public Task<IReadOnlyList<Recsys.Data.Interaction>> GetUserInteractionsAsync(string userId, CancellationToken cancellationToken) => inner.GetUserInteractionsAsync(userId, cancellationToken);

        public async Task<long> CountAsync(CancellationToken cancellationToken)
        {
            var count = await inner.CountAsync(cancellationToken);
            _counts.Increment();
            return count;
        }

        public IAsyncEnumerable<Recsys.Data.Interaction> ReadAllAsync(CancellationToken cancellationToken) => inner.ReadAllAsync(cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the workspace owns the store
    }
}
