using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using Recsys.Tests.Shared;

namespace Recsys.AspNetCore.Tests;

/// <summary>
/// The sample web host as the original service's clients use it: numeric ids, the algorithm switch
/// (svd / nmf / hybrid) from a fresh start, and <c>POST /models/retrain</c> running to a served new version.
/// </summary>
public sealed class SampleHostTests
{
    private const string Key = "sample-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FreshMovieLensHost_TheOriginalsAlgorithmsAndRequestMix_AllAnswer()
    {
        var ratings = MovieLensData.File("ratings.csv");
        var movies = MovieLensData.File("movies.csv");
        using var directory = new TempDirectory();
        await using var factory = Sample(("Recsys:Registry", directory.Path), ("Recsys:Bootstrap:DataPath", ratings), ("Recsys:MoviesPath", movies));
        using var client = factory.CreateClient();
        await WaitReadyAsync(client);

        // algorithm=svd|nmf|hybrid: ten items each, from a version of its own, named in the response.
        var lists = new Dictionary<string, List<string>>();
        foreach (var algorithm in new[] { "svd", "nmf", "hybrid" })
        {
            var body = await PostAsync(client, $"{{\"user_id\": 1, \"num_recommendations\": 10, \"exclude_seen\": true, \"algorithm\": \"{algorithm}\"}}");
            Assert.Equal(algorithm, body.GetProperty("model").GetProperty("name").GetString());
            lists[algorithm] = [.. body.GetProperty("recommendations").EnumerateArray().Select(r => r.GetProperty("item_id").GetString()!)];
            Assert.Equal(10, lists[algorithm].Count);
        }

        Assert.NotEqual(lists["svd"], lists["hybrid"]);
        Assert.NotEqual(lists["nmf"], lists["hybrid"]);

        // The original's locust mix: recommendations (weight 3), filtered recommendations (1), health (1), numeric ids.
        var random = new Random(7);
        var answered = 0;
        for (var k = 0; k < 250; k++)
        {
            var user = random.Next(20) == 0 ? 100_000 + k : random.Next(1, 611);
            var pick = random.Next(5);
            using var response = pick switch
            {
                < 3 => await client.PostAsync("/recommendations", Json($"{{\"user_id\": {user}, \"num_recommendations\": 10, \"exclude_seen\": true, \"algorithm\": \"hybrid\"}}"), Ct),
                3 => await client.PostAsync("/recommendations", Json($"{{\"user_id\": {user}, \"num_recommendations\": 5.0, \"filters\": {{\"include_genres\": [\"Comedy\", \"Drama\"], \"exclude_genres\": [\"Horror\"], \"exclude_items\": [1, 2], \"min_score\": 0.0}}}}"), Ct),
                _ => await client.GetAsync("/health", Ct),
            };
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
            answered++;
        }

        using var interaction = await client.PostAsync("/interactions", Json("{\"user_id\": 3, \"item_id\": 2455, \"rating\": 4.5, \"interaction_type\": \"rating\"}"), Ct);
        Assert.Equal(HttpStatusCode.Created, interaction.StatusCode);
        Assert.Equal(250, answered);
    }

    [Fact]
    public async Task RetrainOnTheSampleHost_Sqlite_RunSucceedsAndTheNewVersionIsServed()
    {
        using var directory = new TempDirectory();
        await using var factory = Sample(("Recsys:Registry", directory.Path));
        using var client = factory.CreateClient();
        await WaitReadyAsync(client);
        var before = await ServedVersionAsync(client);

        using var anonymous = await client.PostAsync("/models/retrain", null, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var runId = await StartRunAsync(client);
        Assert.NotNull(runId);
        await WaitRunAsync(client, runId!);
        await WaitUntilAsync(async () => await ServedVersionAsync(client) != before, TimeSpan.FromSeconds(20), "the promoted version was not served");
    }

    [Fact]
    public async Task RetrainOnTheSampleHost_PostgreSqlTwoReplicas_ExactlyOneRun_BothServeTheNewVersion()
    {
        Services.RequirePostgres();
        var schema = Services.NewSchema();
        var connection = new NpgsqlConnectionStringBuilder(Services.PostgresConnectionString) { SearchPath = schema }.ToString();
        try
        {
            await using var a = Sample(("Recsys:PostgreSql", connection));
            await using var b = Sample(("Recsys:PostgreSql", connection));
            using var clientA = a.CreateClient();
            using var clientB = b.CreateClient();
            await Task.WhenAll(WaitReadyAsync(clientA), WaitReadyAsync(clientB));
            var before = await ServedVersionAsync(clientA);

            var started = await Task.WhenAll(StartRunAsync(clientA), StartRunAsync(clientB));

            var runId = Assert.Single(started, id => id is not null)!;
            await WaitRunAsync(clientA, runId);
            await WaitUntilAsync(
                async () => await ServedVersionAsync(clientA) != before && await ServedVersionAsync(clientB) == await ServedVersionAsync(clientA),
                TimeSpan.FromSeconds(20),
                "both replicas did not serve the promoted version");
            using var runs = new HttpRequestMessage(HttpMethod.Get, "/runs");
            runs.Headers.Add("X-Api-Key", Key);
            using var list = await clientB.SendAsync(runs, Ct);
            // The bootstrap was itself a run of the retraining flow (one, by one replica); the API started exactly one more.
            var triggers = (await list.Content.ReadFromJsonAsync<JsonElement>(Ct)).EnumerateArray().Select(r => r.GetProperty("trigger").GetString()).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(["api", "bootstrap"], triggers);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Services.DropSchema(schema);
        }
    }

    private static WebApplicationFactory<Program> Sample(params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Recsys:AdminApiKey", Key);

            // Promote any candidate that can be compared, so the test sees a new version served.
            builder.UseSetting("Recsys:Retraining:Promotion:MinImprovement", "-1");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });

    /// <summary>POST /models/retrain with the key: the run id on 202, null on 409 (another replica's run holds the lock).</summary>
    private static async Task<string?> StartRunAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/models/retrain");
        request.Headers.Add("X-Api-Key", Key);
        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/runs/{body.GetProperty("run_id").GetString()}", body.GetProperty("status_url").GetString());
        return body.GetProperty("run_id").GetString();
    }

    private static async Task<string> WaitRunAsync(HttpClient client, string runId)
    {
        var state = "";
        var decision = "";
        await WaitUntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/runs/{runId}");
                request.Headers.Add("X-Api-Key", Key);
                using var response = await client.SendAsync(request, Ct);
                var run = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
                state = run.GetProperty("state").GetString()!;
                decision = run.TryGetProperty("decision", out var d) ? d.GetString() ?? "" : run.ToString();
                return state != "Running";
            },
            TimeSpan.FromSeconds(600),
            "the run did not finish");
        Assert.True(state == "Succeeded", decision);
        return decision;
    }

    private static async Task WaitReadyAsync(HttpClient client) =>
        await WaitUntilAsync(async () => (await client.GetAsync("/health/ready", Ct)).IsSuccessStatusCode, TimeSpan.FromSeconds(600), "the sample host was not ready");

    private static async Task<int> ServedVersionAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/stats", Ct)).GetProperty("model").GetProperty("version").GetInt32();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> PostAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("/recommendations", Json(body), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < timeout, $"{failure} within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
            await Task.Delay(100, Ct);
        }
    }
}
