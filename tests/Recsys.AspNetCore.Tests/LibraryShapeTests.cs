using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Recsys.Registry;

namespace Recsys.AspNetCore.Tests;

/// <summary>Recsys as a library: what a host gets from it, and nothing else.</summary>
public sealed class LibraryShapeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DistributedCache_IsRecsysesOwn_TheHostsIsNeitherReplacedNorUsed()
    {
        using var directory = new TempDirectory();
        await using (var backend = SqliteBackend.Open(directory.Path))
        {
            await TestModels.RegisterAsync(backend.Registry, seed: 1);
        }

        var hosts = new CountingCache();
        var recsys = new CountingCache();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(hosts); // the host's own
        builder.Services.AddRecommender(o => o.ModelName = TestModels.Model).UseSqlite(directory.Path).UseDistributedCache(_ => recsys);
        await using var app = builder.Build();
        app.MapRecommender();
        await app.StartAsync(Ct);
        using var client = app.GetTestClient();
        (await client.GetAsync("/users/1/recommendations", Ct)).EnsureSuccessStatusCode();

        Assert.Same(hosts, app.Services.GetRequiredService<Microsoft.Extensions.Caching.Distributed.IDistributedCache>());
        // HybridCache writes its second level after it has answered: wait for that write (the guard only ends a hang).
        await recsys.FirstWrite.WaitAsync(TimeSpan.FromMinutes(2), Ct);
        Assert.True(recsys.Writes > 0, "Recsys's second level received no entry");
        Assert.Equal(0, hosts.Writes + hosts.Reads);
        await app.StopAsync(Ct);
    }

    // An in-memory IDistributedCache that counts what it is asked.
    private sealed class CountingCache : Microsoft.Extensions.Caching.Distributed.IDistributedCache
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _entries = new();

        private readonly TaskCompletionSource _firstWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Reads;
        public int Writes;

        public Task FirstWrite => _firstWrite.Task;

        public byte[]? Get(string key)
        {
            Interlocked.Increment(ref Reads);
            return _entries.TryGetValue(key, out var value) ? value : null;
        }

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

        public void Refresh(string key)
        {
        }

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

        public void Remove(string key) => _entries.TryRemove(key, out _);

        public Task RemoveAsync(string key, CancellationToken token = default)
        {
            Remove(key);
            return Task.CompletedTask;
        }

        public void Set(string key, byte[] value, Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions options)
        {
            Interlocked.Increment(ref Writes);
            _firstWrite.TrySetResult();
            _entries[key] = value;
        }

        public Task SetAsync(string key, byte[] value, Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Set(key, value, options);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task BootstrapEnabled_WithoutTheRetrainingPackagesBootstrapper_SaysWhatToAdd()
    {
        // Serving does not train: with Recsys:Bootstrap:Enabled and an empty registry, a host that registered no
        // IModelBootstrapper (Recsys.Retraining's AddRecsysBootstrap) serves nothing and says which call is missing.
        using var directory = new TempDirectory();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.None);
        builder.WebHost.UseTestServer();
        builder.Configuration["Recsys:Bootstrap:Enabled"] = "true";
        builder.Services.AddRecommender(o => o.ModelName = TestModels.Model).UseSqlite(directory.Path);
        await using var app = builder.Build();
        app.MapRecommender();
        await app.StartAsync(Ct);
        await app.Services.GetRequiredService<Recsys.Serving.ModelProvider>().Started;

        var stats = await app.Services.GetRequiredService<Recsys.Serving.IRecommendationService>().GetStatsAsync(Ct);
        Assert.Null(stats.Model);
        Assert.Contains("services.AddRecsysBootstrap()", stats.LastError, StringComparison.Ordinal);
        Assert.Contains("Recsys.Retraining", stats.LastError, StringComparison.Ordinal);
        Assert.Empty(await app.Services.GetRequiredService<IModelRegistry>().ListModelsAsync(null, Ct));
        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task MapRetraining_WithoutTheRetrainingFlow_SaysWhatToAdd()
    {
        // Training over HTTP is opt-in and needs the flow: mapping it on a serving-only host fails at start-up, naming the call.
        using var directory = new TempDirectory();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddRecommender(o => o.ModelName = TestModels.Model).UseSqlite(directory.Path);
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapRetraining());

        Assert.Contains("services.AddRetraining(", error.Message, StringComparison.Ordinal);
        Assert.Contains("Recsys.Retraining", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebHost_AddRecommenderAndMapRecommenderWithPrefix_ExposesOnlyTheApi()
    {
        using var directory = new TempDirectory();
        await using (var backend = SqliteBackend.Open(directory.Path))
        {
            await TestModels.RegisterAsync(backend.Registry, seed: 1);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseTestServer();
        builder.Services.AddRecommender(o => o.ModelName = TestModels.Model).UseSqlite(directory.Path);
        await using var app = builder.Build();
        app.MapRecommender("/api");
        await app.StartAsync(Ct);
        await app.Services.GetRequiredService<IRecommendationService>().WaitUntilStartedAsync(Ct);
        using var client = app.GetTestClient();

        using (var stats = await client.GetAsync("/api/stats", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        }

        using (var recommendations = await client.GetAsync("/api/users/1/recommendations?num_recommendations=3", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, recommendations.StatusCode);
        }

        foreach (var path in new[] { "/stats", "/metrics", "/openapi/recsys.json", "/openapi/v1.json", "/health", "/health/ready", "/health/live" })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path} answered {(int)response.StatusCode}; the host mapped nothing there");
        }

        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task WebHost_WithoutABackend_FailsAtStartNamingTheFix()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.WebHost.UseTestServer();
        builder.Services.AddRecommender();
        await using var app = builder.Build();
        app.MapRecommender();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync(Ct));
        Assert.Contains("UseSqlite", error.Message, StringComparison.Ordinal);
        Assert.Contains("UsePostgreSql", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Environment.CurrentDirectory, "recsys-registry")), "no registry is created in the working directory");
    }

    [Fact]
    public async Task ConsoleHost_InProcessOnPostgreSql_GivesTheSameListAsHttp_OnOneDataSource()
    {
        Services.RequirePostgres();
        var schema = Services.NewSchema();
        var connection = new NpgsqlConnectionStringBuilder(Services.PostgresConnectionString) { SearchPath = schema }.ToString();
        using var pools = new DataSourceCounter(schema);
        try
        {
            await using (var backend = PostgreSqlBackend.Open(connection))
            {
                await TestModels.RegisterAsync(backend.Registry, seed: 3);
            }

            Assert.Equal(0, pools.Count()); // the setup's backend is disposed: its pool is gone

            // A console program: the generic host, no ASP.NET Core.
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddRecsys().UsePostgreSql(connection).AddServing(o =>
            {
                o.ModelName = TestModels.Model;
                o.CacheDuration = TimeSpan.Zero;
            });
            using var console = builder.Build();
            await console.StartAsync(Ct);
            var service = console.Services.GetRequiredService<IRecommendationService>();
            await service.WaitUntilStartedAsync(Ct);
            var user = TestModels.Dataset.Users[7];
            var inProcess = await service.RecommendAsync(new RecommendationQuery { UserId = user, Count = 10 }, Ct);
            var stats = await service.GetStatsAsync(Ct); // the interaction store
            await console.Services.GetRequiredService<Recsys.Runs.IRunStore>().ListRunsAsync(null, 1, Ct); // the run store
            Assert.Equal(0, stats.StoredInteractions);
            Assert.Equal(1, pools.Count()); // registry, run store and interaction store share one pool

            await using var web = await ServingHost.StartAsync(b => b.UsePostgreSql(connection), o => o.CacheDuration = TimeSpan.Zero);
            var overHttp = await web.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/users/{user}/recommendations?num_recommendations=10", Ct);
            var httpItems = overHttp.GetProperty("recommendations").EnumerateArray().Select(i => (i.GetProperty("item_id").GetString(), i.GetProperty("score").GetSingle())).ToList();
            Assert.Equal(10, inProcess.Recommendations.Count);
            Assert.Equal(httpItems, inProcess.Recommendations.Select(i => ((string?)i.ItemId, i.Score)).ToList());
            Assert.Equal(overHttp.GetProperty("model").GetProperty("version").GetInt32(), inProcess.Model.Version);
            await console.StopAsync(Ct);
        }
        finally
        {
            Services.DropSchema(schema);
        }
    }

    [Fact]
    public async Task RecommendationDuration_UnderLoad_IsInSecondsAndSpreadOverSeveralBuckets()
    {
        using var directory = new TempDirectory();
        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(directory.Path), o => o.CacheDuration = TimeSpan.FromMinutes(5));
        var registered = await TestModels.RegisterAsync(host.Registry, seed: 2);
        await host.Services.GetRequiredService<IRecommendationService>().ReloadAsync(cancellationToken: Ct);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var durations = new MetricCollector<double>(meters, RecsysTelemetry.MeterName, "recsys.recommendation.duration");
        using var versions = new MetricCollector<long>(meters, RecsysTelemetry.MeterName, "recsys.model.version");
        var service = host.Services.GetRequiredService<IRecommendationService>();

        // Load: misses (each user once, then with a filter), hits (the same requests again), cold-start users.
        var users = TestModels.Dataset.Users.Take(150).ToList();
        await Parallel.ForEachAsync(users.Concat(users).Concat(users.Select(u => "new-" + u)), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (user, ct) =>
            await service.RecommendAsync(new RecommendationQuery { UserId = user, Count = 20 }, ct));

        var measurements = durations.GetMeasurementSnapshot();
        Assert.Equal(450, measurements.Count);
        Assert.Equal("s", durations.Instrument!.Unit);
        var buckets = RecommenderMetrics.DurationBuckets;
        var histogram = measurements.GroupBy(m => buckets.Count(b => b < m.Value)).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
        TestContext.Current.TestOutputHelper?.WriteLine("buckets (upper bound s: count): " + string.Join(", ", histogram.Select(h => $"{(h.Key < buckets.Count ? buckets[h.Key] : double.PositiveInfinity)}: {h.Value}")));
        Assert.True(histogram.Count >= 2, $"all 450 observations fell in one bucket: {string.Join(", ", histogram)}");
        Assert.All(measurements, m => Assert.True(m.Value is > 0 and < 10, $"{m.Value} s is not a duration in seconds"));
        Assert.Contains(measurements, m => Equals(m.Tags[RecsysTelemetry.CacheHit], true));
        Assert.Contains(measurements, m => Equals(m.Tags[RecsysTelemetry.Fallback], "popularity"));
        Assert.All(measurements, m => Assert.Equal(TestModels.Model, m.Tags[RecsysTelemetry.ModelName]));

        versions.RecordObservableInstruments();
        var served = Assert.Single(versions.GetMeasurementSnapshot().Where(m => Equals(m.Tags[RecsysTelemetry.ModelName], TestModels.Model)).TakeLast(1));
        Assert.Equal(registered.Version, served.Value);
        Assert.Equal("Production", served.Tags[RecsysTelemetry.ModelStage]);
    }

    /// <summary>Counts the live Npgsql data sources whose pool name holds a marker (one measurement of db.client.connection.max per data source).</summary>
    private sealed class DataSourceCounter : IDisposable
    {
        private readonly string _marker;
        private readonly MeterListener _listener = new();
        private readonly List<string> _pools = [];

        public DataSourceCounter(string marker)
        {
            _marker = marker;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Npgsql" && instrument.Name == "db.client.connection.max")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, _, tags, _) => Record(tags));
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) => Record(tags));
            _listener.Start();
        }

        public int Count()
        {
            lock (_pools)
            {
                _pools.Clear();
            }

            _listener.RecordObservableInstruments();
            lock (_pools)
            {
                return _pools.Count(p => p.Contains(_marker, StringComparison.Ordinal));
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Record(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "db.client.connection.pool.name")
                {
                    lock (_pools)
                    {
                        _pools.Add(tag.Value?.ToString() ?? "");
                    }
                }
            }
        }
    }
}
