using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Recsys.Registry;
using Recsys.Tests.Shared;

namespace Recsys.AspNetCore.Tests;

/// <summary>Hot reload, failed reload, several replicas, Redis and the sample host: real Kestrel where it matters.</summary>
public sealed class ReloadTests
{
    /// <summary>Only ends a test that would otherwise hang (a swap or count that never comes); never a speed limit.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HotReload_UnderEightConcurrentClients_NoFailedRequestAndOnlyOldOrNewVersions()
    {
        using var directory = new TempDirectory();
        var registry = ModelRegistries.OpenSqlite(directory.Path);
        await TestModels.RegisterAsync(registry, seed: 1);
        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(directory.Path), o => o.CacheDuration = TimeSpan.Zero, kestrel: true);

        var versions = new VersionTally();
        var failures = new ConcurrentBag<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var clients = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            var k = 0;
            while (!stop.IsCancellationRequested)
            {
                var user = TestModels.Dataset.Users[(c * 37 + k++) % TestModels.Dataset.Users.Count];
                try
                {
                    using var response = await host.Client.GetAsync($"/users/{user}/recommendations?num_recommendations=10", CancellationToken.None);
                    var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    if (!response.IsSuccessStatusCode)
                    {
                        failures.Add($"{(int)response.StatusCode} {text}");
                        continue;
                    }

                    var body = JsonDocument.Parse(text).RootElement;
                    versions.Add(body.GetProperty("model").GetProperty("version").GetInt32());
                    if (body.GetProperty("recommendations").GetArrayLength() is 0 or > 10 && TestModels.Dataset.GetUserItems(TestModels.Dataset.Users.IndexOf(user)).Length < 390)
                    {
                        failures.Add($"wrong list length: {text}");
                    }
                }
                catch (HttpRequestException e)
                {
                    failures.Add(e.Message);
                }
            }
        }, CancellationToken.None)).ToArray();

        await versions.AtLeastAsync(1, 40); // the clients were served version 1
        var second = host.SwappedAsync(2, HangGuard);
        await TestModels.RegisterAsync(registry, seed: 2); // v2 to Production: the change feed reloads
        await second;
        await versions.AtLeastAsync(2, 1); // the clients saw version 2
        var third = host.SwappedAsync(3, HangGuard);
        await TestModels.RegisterAsync(registry, seed: 3); // v3 through the admin endpoint, while the feed may race it
        using (var reload = new HttpRequestMessage(HttpMethod.Post, "/admin/reload-models"))
        {
            reload.Headers.Add("X-Api-Key", "test-key");
            using var response = await host.Client.SendAsync(reload, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await third;
        await versions.AtLeastAsync(3, 50); // the clients saw version 3 fifty times
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.True(failures.IsEmpty, $"{failures.Count} failed requests, first: {failures.FirstOrDefault()}");
        Assert.True(versions.Total > 100, $"only {versions.Total} requests completed");
        Assert.Equal([1, 2, 3], versions.Versions);
    }

    [Fact]
    public async Task FailedReload_CorruptArtifact_KeepsServingTheOldVersionAndSaysSo()
    {
        using var directory = new TempDirectory();
        var registry = ModelRegistries.OpenSqlite(directory.Path);
        await TestModels.RegisterAsync(registry, seed: 1);
        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(directory.Path));
        var v2 = await TestModels.RegisterAsync(registry, seed: 2, stage: null);
        var file = Directory.GetFiles(Path.Combine(directory.Path, "artifacts"), v2.ArtifactSha256, SearchOption.AllDirectories).Single();
        var bytes = await File.ReadAllBytesAsync(file, Ct);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(file, bytes, Ct);
        await registry.TransitionStageAsync(TestModels.Model, 2, ModelStage.Production, true, "test", null, Ct);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/reload-models");
        request.Headers.Add("X-Api-Key", "test-key");
        using var reload = await host.Client.SendAsync(request, Ct);
        var problem = await reload.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, reload.StatusCode);
        Assert.Contains("corrupt", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("still serving version 1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var target = problem.GetProperty("targets")[0]; // snake_case, as the 200 answer
        Assert.Equal(1, target.GetProperty("previous_version").GetInt32());
        Assert.Contains("corrupt", target.GetProperty("error").GetString(), StringComparison.Ordinal);
        var served = await host.Client.GetFromJsonAsync<JsonElement>($"/users/{TestModels.Dataset.Users[0]}/recommendations", Ct);
        Assert.Equal(1, served.GetProperty("model").GetProperty("version").GetInt32());
        var stats = await host.Client.GetFromJsonAsync<JsonElement>("/stats", Ct);
        Assert.Contains("corrupt", stats.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        using var ready = await host.Client.GetAsync("/health/ready", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode); // still serving: ready
    }

    [Fact]
    public async Task Experiment_SplitsUsersStablyBetweenAliases()
    {
        using var directory = new TempDirectory();
        var registry = ModelRegistries.OpenSqlite(directory.Path);
        await TestModels.RegisterAsync(registry, seed: 1);
        await TestModels.RegisterAsync(registry, seed: 2, stage: null);
        await registry.SetAliasAsync(TestModels.Model, "champion", 1, "test", null, Ct);
        await registry.SetAliasAsync(TestModels.Model, "challenger", 2, "test", null, Ct);
        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(directory.Path), o =>
        {
            o.Experiment.Add(new TrafficVariant { Alias = "champion", Weight = 70 });
            o.Experiment.Add(new TrafficVariant { Alias = "challenger", Weight = 30 });
        });

        var arms = new Dictionary<string, int>();
        foreach (var user in TestModels.Dataset.Users.Take(200))
        {
            var body = await host.Client.GetFromJsonAsync<JsonElement>($"/users/{user}/recommendations?num_recommendations=1", Ct);
            var again = await host.Client.GetFromJsonAsync<JsonElement>($"/users/{user}/recommendations?num_recommendations=1", Ct);
            var variant = body.GetProperty("variant").GetString()!;
            Assert.Equal(variant, again.GetProperty("variant").GetString());
            Assert.Equal(variant == "champion" ? 1 : 2, body.GetProperty("model").GetProperty("version").GetInt32());
            arms[variant] = arms.GetValueOrDefault(variant) + 1;
        }

        Assert.InRange(arms["champion"], 110, 170); // 70 % of 200, with room for the hash
        Assert.InRange(arms["challenger"], 30, 90);
        var explicitAlias = await host.Client.GetFromJsonAsync<JsonElement>($"/users/{TestModels.Dataset.Users[0]}/recommendations?algorithm=challenger", Ct);
        Assert.Equal(2, explicitAlias.GetProperty("model").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task TwoReplicas_OnOnePostgreSqlRegistry_BothServeAPromotion_ByNotification()
    {
        Services.RequirePostgres();
        var schema = Services.NewSchema();
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(Services.PostgresConnectionString) { SearchPath = schema }.ToString();
        try
        {
            var registry = PostgreSqlModelRegistries.Open(connection);
            await TestModels.RegisterAsync(registry, seed: 1);

            // The replicas' fallback poll is a day: only a notification can make them reload (no clock is asserted on).
            await using var a = await ServingHost.StartAsync(b => b.UsePostgreSql(connection, o => o.FallbackPollInterval = TimeSpan.FromDays(1)), o => o.CacheDuration = TimeSpan.Zero, kestrel: true);
            await using var b = await ServingHost.StartAsync(b => b.UsePostgreSql(connection, o => o.FallbackPollInterval = TimeSpan.FromDays(1)), o => o.CacheDuration = TimeSpan.Zero, kestrel: true);
            Assert.Equal(1, await ServedVersionAsync(a.Client));
            Assert.Equal(1, await ServedVersionAsync(b.Client));
            var swapped = Task.WhenAll(a.SwappedAsync(2, HangGuard), b.SwappedAsync(2, HangGuard));

            var v2 = await TestModels.RegisterAsync(registry, seed: 2, stage: null);
            await registry.TransitionStageAsync(TestModels.Model, v2.Version, ModelStage.Production, true, "test", "promote", Ct);
            await swapped;

            Assert.Equal(2, await ServedVersionAsync(a.Client));
            Assert.Equal(2, await ServedVersionAsync(b.Client));
            await ((IAsyncDisposable)registry).DisposeAsync();
        }
        finally
        {
            Services.DropSchema(schema);
        }
    }

    [Fact]
    public async Task RedisSecondLevel_SharedBetweenReplicas_AndItsOutageCausesNo5xx()
    {
        using var redis = Services.StartRedis();
        using var directory = new TempDirectory();
        var registry = ModelRegistries.OpenSqlite(directory.Path);
        await TestModels.RegisterAsync(registry, seed: 1);
        await using var a = await ServingHost.StartAsync(b => b.UseSqlite(directory.Path).UseDistributedCache(_ => Recsys.Samples.WebApi.RedisCaches.Create(redis.Configuration)));
        await using var b = await ServingHost.StartAsync(b => b.UseSqlite(directory.Path).UseDistributedCache(_ => Recsys.Samples.WebApi.RedisCaches.Create(redis.Configuration)));
        var user = TestModels.Dataset.Users[4];
        using var cacheErrors = new MetricCollector<long>(b.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), RecsysTelemetry.MeterName, "recsys.cache.distributed_errors");

        var first = await a.Client.GetFromJsonAsync<JsonElement>($"/users/{user}/recommendations", Ct);
        Assert.False(first.GetProperty("cache_hit").GetBoolean());

        // The L2 write is in the background: poll until replica a's entry is in Redis, then ask replica b (whose L1 is empty).
        using (var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            var server = connection.GetServer(connection.GetEndPoints()[0]);
            await Poll.UntilAsync(async () => await server.DatabaseSizeAsync() > 0, "replica a wrote its list to Redis", cancellationToken: Ct);
        }

        var fromOtherReplica = await b.Client.GetFromJsonAsync<JsonElement>($"/users/{user}/recommendations", Ct);
        Assert.True(fromOtherReplica.GetProperty("cache_hit").GetBoolean(), "replica b did not find replica a's list in Redis");
        Assert.Equal(first.GetProperty("recommendations").ToString(), fromOtherReplica.GetProperty("recommendations").ToString());

        redis.Stop();
        for (var k = 0; k < 20; k++)
        {
            using var response = await b.Client.GetAsync($"/users/{TestModels.Dataset.Users[10 + k]}/recommendations", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.NotEmpty(cacheErrors.GetMeasurementSnapshot()); // the outage was counted, not failed
    }

    [Fact]
    public async Task RedisSecondLevel_HungServer_RequestsAnswerWithoutIt_AndHealthSaysDegradedUntilItAnswers()
    {
        using var redis = Services.StartRedis();
        using var directory = new TempDirectory();
        await TestModels.RegisterAsync(ModelRegistries.OpenSqlite(directory.Path), seed: 1);
        await using var host = await ServingHost.StartAsync(b => b.UseSqlite(directory.Path).UseDistributedCache(_ => Recsys.Samples.WebApi.RedisCaches.Create(redis.Configuration)));
        using (var warm = await host.Client.GetAsync($"/users/{TestModels.Dataset.Users[1]}/recommendations", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        redis.Pause(); // SIGSTOP: the connection stays open, nothing answers
        for (var k = 0; k < 10; k++)
        {
            using var response = await host.Client.GetAsync($"/users/{TestModels.Dataset.Users[20 + k]}/recommendations", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var degraded = await HealthAsync(host);
        Assert.Equal("Degraded", degraded.Status);
        Assert.Contains("the distributed cache is unavailable since", degraded.Body, StringComparison.Ordinal);
        Assert.Contains("did not answer within 50 ms (Recsys:DistributedCacheTimeout)", degraded.Body, StringComparison.Ordinal);

        redis.Resume();
        await Poll.UntilAsync(async () => (await HealthAsync(host)).Status == "Healthy", "/health was Healthy again after Redis resumed", cancellationToken: Ct);
        using var health = await host.Client.GetAsync("/health", Ct);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>What /health reports, with every check's description (the endpoint itself writes the status only).</summary>
    private static async Task<(string Status, string Body)> HealthAsync(ServingHost host)
    {
        var report = await host.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync(Ct);
        return (report.Status.ToString(), string.Join("; ", report.Entries.Select(e => e.Value.Description)));
    }

    [Fact]
    public async Task SampleHost_FreshFolder_BootstrapsAndServesRealRecommendations()
    {
        using var directory = new TempDirectory();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("Recsys:Registry", directory.Path));
        using var client = factory.CreateClient();
        await factory.Services.GetRequiredService<ModelProvider>().Started.WaitAsync(Poll.HangGuard, Ct); // the bootstrap trained and loaded

        using (var response = await client.GetAsync("/users/1/recommendations", Ct))
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(10, body.GetProperty("recommendations").GetArrayLength());
            Assert.Equal("movies", body.GetProperty("model").GetProperty("name").GetString());
        }

        var stats = await client.GetFromJsonAsync<JsonElement>("/stats", Ct);
        Assert.True(stats.GetProperty("metrics").GetProperty("ndcg_at_k").GetDouble() > 0.02, stats.ToString()); // measured, not a placeholder
    }

    private static async Task<int> ServedVersionAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>($"/users/{TestModels.Dataset.Users[0]}/recommendations", Ct)).GetProperty("model").GetProperty("version").GetInt32();

    /// <summary>Counts the versions the clients were served; lets a test wait for a count instead of polling for it.</summary>
    private sealed class VersionTally
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<int, CountSignal> _counts = new();

        public long Total => _counts.Values.Sum(c => c.Count);

        public int[] Versions => [.. _counts.Where(c => c.Value.Count > 0).Select(c => c.Key).Order()];

        public void Add(int version) => _counts.GetOrAdd(version, _ => new CountSignal()).Increment();

        public Task AtLeastAsync(int version, int count) => _counts.GetOrAdd(version, _ => new CountSignal()).AtLeastAsync(count, Ct);
    }

}
