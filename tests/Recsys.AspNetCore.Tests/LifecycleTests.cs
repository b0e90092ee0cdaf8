using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Recsys.Registry;
using Recsys.Tests.Shared;

namespace Recsys.AspNetCore.Tests;

/// <summary>
/// The serving loop decides right: the served model learned all the data, seen means the whole history, a registry
/// with versions is never "repaired" by a bootstrap, exactly one replica bootstraps, and a database outage degrades
/// answers instead of failing them.
/// </summary>
public sealed class LifecycleTests
{
    /// <summary>Only ends a test that would otherwise hang; never a speed limit.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MovieLens_BootstrappedHost_NeverRecommendsAnItemTheUserRatedOrPosted_AndServesTheRefit()
    {
        var ratingsPath = MovieLensData.File("ratings.csv");
        var rated = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(ratingsPath).Skip(1))
        {
            var fields = line.Split(',');
            (rated.TryGetValue(fields[0], out var items) ? items : rated[fields[0]] = new(StringComparer.Ordinal)).Add(fields[1]);
        }

        using var directory = new TempDirectory();
        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(directory.Path), bootstrap: o => o.DataPath = ratingsPath);

        var violations = 0;
        var posted = 0;
        foreach (var (user, seen) in rated)
        {
            var first = await RecommendAsync(host.Client, user);
            Assert.Equal(10, first.Count);
            violations += first.Count(seen.Contains);
            if (int.Parse(user, CultureInfo.InvariantCulture) % 5 == 0)
            {
                // Post two of the user's recommendations as interactions: they are seen from now on.
                var now = first.Take(2).ToArray();
                using var response = await host.Client.PostAsJsonAsync("/interactions", now.Select(i => new { user_id = user, item_id = i, rating = 4.0 }), Ct);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                posted += now.Length;
                var again = await RecommendAsync(host.Client, user);
                violations += again.Count(i => seen.Contains(i) || now.Contains(i));
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{rated.Count} users, {posted} items posted, {violations} seen or posted items recommended");
        Assert.Equal(610, rated.Count);
        Assert.Equal(244, posted);
        Assert.Equal(0, violations);

        var stats = await host.Client.GetFromJsonAsync<JsonElement>("/stats", Ct);
        Assert.Equal((610, 9_724), (stats.GetProperty("users").GetInt32(), stats.GetProperty("items").GetInt32()));
        var lineage = stats.GetProperty("lineage");
        Assert.Equal(100_836, lineage.GetProperty("rows").GetInt64());
        Assert.True(lineage.GetProperty("refit").GetBoolean());
        var evaluation = lineage.GetProperty("evaluation");
        Assert.Equal(100_836, evaluation.GetProperty("train_rows").GetInt64() + evaluation.GetProperty("test_rows").GetInt64());
        Assert.InRange(evaluation.GetProperty("test_rows").GetInt64(), 15_000, 25_000);
        var metrics = stats.GetProperty("metrics");
        Assert.Equal(evaluation.GetProperty("test_rows").GetInt64(), metrics.GetProperty("test_size").GetInt64());
        Assert.InRange(metrics.GetProperty("ndcg_at_k").GetDouble(), 0.05, 0.6);
        Assert.False(metrics.TryGetProperty("rmse", out _)); // als-implicit ranks; its RMSE means nothing and is not stored
    }

    [Fact]
    public async Task CorruptProduction_HostChangesNoStageOrAlias_AndReportsTheError()
    {
        using var directory = new TempDirectory();
        int production;
        int historyBefore;
        using (var registry = (IDisposable)ModelRegistries.OpenSqlite(directory.Path))
        {
            var models = (IModelRegistry)registry;
            production = (await TestModels.RegisterAsync(models, 1)).Version;
            await models.SetAliasAsync(TestModels.Model, "champion", production, "operator", "setup", Ct);
            historyBefore = (await models.GetHistoryAsync(TestModels.Model, Ct)).Count;
        }

        var originals = new Dictionary<string, byte[]>();
        foreach (var artifact in Directory.EnumerateFiles(Path.Combine(directory.Path, "artifacts", "sha256"), "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(artifact, Ct);
            originals[artifact] = (byte[])bytes.Clone();
            bytes[^1] ^= 0xFF;
            await File.WriteAllBytesAsync(artifact, bytes, Ct);
        }

        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(directory.Path), bootstrap: _ => { });

        var history = await host.Registry.GetHistoryAsync(TestModels.Model, Ct);
        Assert.Equal(historyBefore, history.Count);
        var versions = await host.Registry.ListVersionsAsync(TestModels.Model, Ct);
        var only = Assert.Single(versions);
        Assert.Equal((production, ModelStage.Production), (only.Version, only.Stage));
        Assert.Contains("champion", only.Aliases);
        using var ready = await host.Client.GetAsync("/health/ready", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync(Ct));
        using var recommend = await host.Client.GetAsync("/users/1/recommendations", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, recommend.StatusCode);
        var problem = await recommend.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.StartsWith($"No model is loaded: the artifact of {TestModels.Model} version {production} is corrupt: its SHA-256 is ", detail, StringComparison.Ordinal);
        Assert.Contains(", the registry recorded ", detail, StringComparison.Ordinal);
        Assert.Contains("Loading is retried by itself", detail, StringComparison.Ordinal);
        var stats = await host.Client.GetFromJsonAsync<JsonElement>("/stats", Ct);
        Assert.Contains("corrupt", stats.GetProperty("last_error").GetString(), StringComparison.Ordinal);

        // The operator restores the artifact: the host picks it up by itself (its retries back off), no reload needed.
        var loaded = host.SwappedAsync(production, HangGuard);
        foreach (var (artifact, bytes) in originals)
        {
            await File.WriteAllBytesAsync(artifact, bytes, Ct);
        }

        await loaded;
        using (var served = await host.Client.GetAsync("/users/1/recommendations", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        Assert.False((await host.Client.GetFromJsonAsync<JsonElement>("/stats", Ct)).TryGetProperty("last_error", out var error) && error.ValueKind == JsonValueKind.String);
        Assert.Equal(historyBefore, (await host.Registry.GetHistoryAsync(TestModels.Model, Ct)).Count); // still no stage or alias changed
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task ReplicasStartingTogether_OnAnEmptyPostgreSqlRegistry_ExactlyOneBootstraps(int replicas)
    {
        Services.RequirePostgres();
        var schema = Services.NewSchema();
        var connection = new NpgsqlConnectionStringBuilder(Services.PostgresConnectionString) { SearchPath = schema }.ToString();
        try
        {
            var hosts = await Task.WhenAll(Enumerable.Range(0, replicas).Select(_ => ServingHost.StartAsync(
                b => b.UsePostgreSql(connection),
                bootstrap: o => o.Algorithm = "popularity")));
            try
            {
                var version = Assert.Single(await hosts[0].Registry.ListVersionsAsync(TestModels.Model, Ct));
                Assert.Equal(ModelStage.Production, version.Stage);
                foreach (var host in hosts)
                {
                    var stats = await host.Client.GetFromJsonAsync<JsonElement>("/stats", Ct);
                    Assert.Equal(version.Version, stats.GetProperty("model").GetProperty("version").GetInt32());
                }
            }
            finally
            {
                foreach (var host in hosts)
                {
                    await host.DisposeAsync();
                }
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Services.DropSchema(schema);
        }
    }

    [Fact]
    public async Task PostgreSqlOutage_TwoReplicasUnderLoad_NoFailedRecommendation_DegradedThenHealthy_AndLaterPromotionsArrive()
    {
        using var server = PrivatePostgres.Start();
        await using var a = await ServingHost.StartAsync(b => b.UsePostgreSql(server.ConnectionString), bootstrap: _ => { });
        await using var b = await ServingHost.StartAsync(b => b.UsePostgreSql(server.ConnectionString), bootstrap: _ => { });
        ServingHost[] replicas = [a, b];
        var served = (await a.Registry.ListVersionsAsync(TestModels.Model, Ct)).Single().Version;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        long ok = 0;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            var random = new Random(c);
            while (!stop.IsCancellationRequested)
            {
                var replica = replicas[random.Next(2)];
                var user = random.Next(10) == 0 ? $"new-{random.Next(100)}" : random.Next(1, 1_001).ToString(CultureInfo.InvariantCulture);
                using var response = await replica.Client.GetAsync($"/users/{user}/recommendations?num_recommendations=10&exclude_seen=true", CancellationToken.None);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref ok);
                }
                else
                {
                    failures.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                }
            }
        })).ToArray();

        // Every phase ends on what was observed (answers counted, health reported), never after a fixed time; the
        // waits' limits only end a test that would otherwise hang.
        await Poll.UntilAsync(() => Task.FromResult(Interlocked.Read(ref ok) > 200), "the clients got no answers", cancellationToken: Ct);
        server.Stop();
        await Poll.UntilAsync(async () => await HealthAsync(a) == "Degraded" && await HealthAsync(b) == "Degraded", "/health did not report Degraded during the outage", cancellationToken: Ct);
        var duringOutage = Interlocked.Read(ref ok);
        await Poll.UntilAsync(() => Task.FromResult(Interlocked.Read(ref ok) > duringOutage + 1_000), "fewer than 1,000 recommendations were served during the outage", cancellationToken: Ct);

        server.Resume();
        var back = Stopwatch.StartNew();
        await Poll.UntilAsync(async () => await HealthAsync(a) == "Healthy" && await HealthAsync(b) == "Healthy", "/health was not Healthy again after the restart", cancellationToken: Ct);
        var recovery = back.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        TestContext.Current.TestOutputHelper?.WriteLine($"{ok} recommendations answered, {failures.Count} failed; Healthy {recovery.TotalSeconds:F2} s after the restart");
        Assert.Empty(failures);
        Assert.True(ok > 1_200, $"only {ok} requests were answered");

        // A promotion made after the restart reaches both replicas (the change feeds re-opened by themselves).
        using var operatorRegistry = (IDisposable)PostgreSqlModelRegistries.Open(server.ConnectionString);
        var next = served + 1;
        var arrived = Task.WhenAll(replicas.Select(r => r.SwappedAsync(next, HangGuard)));
        var promoted = await TestModels.RegisterAsync((IModelRegistry)operatorRegistry, 7);
        Assert.Equal(next, promoted.Version);
        await arrived;
        Assert.Equal([next, next], await Task.WhenAll(replicas.Select(ServedVersionAsync)));
        NpgsqlConnection.ClearAllPools();
    }

    [Fact]
    public async Task CliAndHttp_SameModelFile_GiveTheSameList_ForKnownAndUnknownUsers()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.Path);
        var file = Path.Combine(directory.Path, "model.bin");
        var bytes = TestModels.Artifact(3);
        await File.WriteAllBytesAsync(file, bytes, Ct);
        using (var registry = (IDisposable)ModelRegistries.OpenSqlite(Path.Combine(directory.Path, "registry")))
        {
            var models = (IModelRegistry)registry;
            var version = await models.RegisterVersionAsync(TestModels.Model, new NewModelVersion { Trainer = "als-implicit" }, bytes, Ct);
            await models.TransitionStageAsync(TestModels.Model, version.Version, ModelStage.Production, true, "test", null, Ct);
        }

        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(Path.Combine(directory.Path, "registry")));
        var user = TestModels.Dataset.Users[7];
        (string User, string Query, string[] Cli)[] cases =
        [
            (user, "", []),
            ("somebody-new", "", []),
            (user, "&include_genres=Animation&exclude_items=10,12&min_score=0.01", ["--include-genres", "Animation", "--exclude-items", "10,12", "--min-score", "0.01"]),
            ("somebody-new", "&exclude_genres=Comedy", ["--exclude-genres", "Comedy"]),
        ];
        foreach (var (id, query, options) in cases)
        {
            var http = await RecommendAsync(host.Client, id, query);
            var (exit, output, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["recommend", "--model", file, "--user", id, "--count", "10", .. options], Ct);
            Assert.True(exit == 0, error);
            var cli = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)[0]).ToList();
            Assert.NotEmpty(cli);
            Assert.Equal(http, cli);
        }
    }

    private static async Task<List<string>> RecommendAsync(HttpClient client, string user, string query = "")
    {
        using var response = await client.GetAsync($"/users/{Uri.EscapeDataString(user)}/recommendations?num_recommendations=10&exclude_seen=true{query}", Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("recommendations").EnumerateArray().Select(r => r.GetProperty("item_id").GetString()!)];
    }

    private static async Task<string> HealthAsync(ServingHost host)
    {
        using var response = await host.Client.GetAsync("/health", Ct);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private static async Task<int?> ServedVersionAsync(ServingHost host)
    {
        var stats = await host.Client.GetFromJsonAsync<JsonElement>("/stats", Ct);
        return stats.TryGetProperty("model", out var model) ? model.GetProperty("version").GetInt32() : null;
    }

}
