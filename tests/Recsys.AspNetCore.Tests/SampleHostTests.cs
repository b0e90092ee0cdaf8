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
    public async Task RetrainAfterNewRatings_Sqlite_ProductionLearnsThemAndAWorseChallengerIsNotPromoted()
    {
        using var directory = new TempDirectory();
        await RetrainAfterNewRatingsAsync(("Recsys:Registry", directory.Path));
    }

    [Fact]
    public async Task RetrainAfterNewRatings_PostgreSql_ProductionLearnsThemAndAWorseChallengerIsNotPromoted()
    {
        Services.RequirePostgres();
        var schema = Services.NewSchema();
        try
        {
            await RetrainAfterNewRatingsAsync(("Recsys:PostgreSql", new NpgsqlConnectionStringBuilder(Services.PostgresConnectionString) { SearchPath = schema }.ToString()));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Services.DropSchema(schema);
        }
    }

    /// <summary>
    /// 2,000 new ratings by 50 new users, then POST /models/retrain with the default policy: the same recipe retrained
    /// on them replaces Production (a refresh, judged on the newest half of those ratings), its lineage covers them, and
    /// those users' lists change from the popularity fallback to lists of their own. A later run whose only candidate
    /// is a rank-1 model, after existing users rated more, leaves Production alone.
    /// </summary>
    private static async Task RetrainAfterNewRatingsAsync((string Key, string Value) registry)
    {
        int production;
        {
            await using var factory = Sample(registry);
            using var client = factory.CreateClient();
            await WaitReadyAsync(client);
            var before = await StatsAsync(client);
            production = before.GetProperty("model").GetProperty("version").GetInt32();
            var rowsBefore = before.GetProperty("lineage").GetProperty("rows").GetInt64();

            // A taste the model never saw: 50 new users each rate the same 40 moderately popular items 5 stars, in 40
            // rounds a second apart (each user in an order of their own).
            var cluster = (await ListAsync(client, "nobody", 60)).Skip(20).ToList();
            var users = Enumerable.Range(1, 50).Select(u => $"fresh-{u}").ToList();
            var random = new Random(11);
            var order = users.ToDictionary(u => u, _ => cluster.OrderBy(_ => random.Next()).ToList());
            var start = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            for (var round = 0; round < 40; round++)
            {
                var batch = users.Select(u => new { user_id = u, item_id = order[u][round], rating = 5.0, timestamp = start + round, interaction_type = "rating" }).ToArray();
                using var posted = await client.PostAsJsonAsync("/interactions", batch, Ct);
                Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
            }

            var listsBefore = new Dictionary<string, List<string>>();
            foreach (var user in users)
            {
                listsBefore[user] = await ListAsync(client, user, 10);
            }

            var decision = await WaitRunAsync(client, (await StartRunAsync(client))!);
            Assert.Contains("Promote: refresh:", decision, StringComparison.Ordinal);
            await Poll.UntilAsync(async () => await ServedVersionAsync(client) != production, "the refreshed version was not served", cancellationToken: Ct);

            var after = await StatsAsync(client);
            Assert.Equal(rowsBefore + 2_000, after.GetProperty("lineage").GetProperty("rows").GetInt64());
            Assert.Equal(start + 39, after.GetProperty("lineage").GetProperty("newest_timestamp").GetInt64());
            var changed = 0;
            foreach (var user in users)
            {
                var list = await ListAsync(client, user, 10);
                Assert.Empty(list.Intersect(cluster)); // what they rated is never offered again
                changed += list.SequenceEqual(listsBefore[user]) ? 0 : 1;
            }

            Assert.True(changed >= 40, $"only {changed} of 50 users' lists changed with the model that learned their ratings");
            production = await ServedVersionAsync(client);
        }

        // Existing users rate ten items each from their lists; the only candidate is a deliberately worse model (rank 1).
        await using var worse = Sample([registry, ("Recsys:Retraining:Candidates:0:Algorithm", "als-implicit"), ("Recsys:Retraining:Candidates:0:Settings:Rank", "1")]);
        using var worseClient = worse.CreateClient();
        await WaitReadyAsync(worseClient);
        var later = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 100;
        foreach (var user in Enumerable.Range(1, 50).Select(u => u.ToString(CultureInfo.InvariantCulture)))
        {
            var items = await ListAsync(worseClient, user, 10);
            using var posted = await worseClient.PostAsJsonAsync("/interactions", items.Select((item, k) => new { user_id = user, item_id = item, rating = 5.0, timestamp = later + k }).ToArray(), Ct);
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        }

        var refused = await WaitRunAsync(worseClient, (await StartRunAsync(worseClient))!);
        Assert.Contains("Stage: ndcg_at_k", refused, StringComparison.Ordinal);
        Assert.Contains("does not beat Production", refused, StringComparison.Ordinal);
        Assert.Equal(production, await ServedVersionAsync(worseClient));
    }

    [Fact]
    public async Task RetrainOnTheSampleHost_PostgreSqlTwoReplicas_ExactlyOneRun_BothServeTheNewVersion()
    {
        Services.RequirePostgres();
        var schema = Services.NewSchema();
        var connection = new NpgsqlConnectionStringBuilder(Services.PostgresConnectionString) { SearchPath = schema }.ToString();
        try
        {
            await using var a = Sample(("Recsys:PostgreSql", connection), ("Recsys:Retraining:Promotion:MinImprovement", "-1"));
            await using var b = Sample(("Recsys:PostgreSql", connection), ("Recsys:Retraining:Promotion:MinImprovement", "-1"));
            using var clientA = a.CreateClient();
            using var clientB = b.CreateClient();
            await Task.WhenAll(WaitReadyAsync(clientA), WaitReadyAsync(clientB));
            var before = await ServedVersionAsync(clientA);

            var started = await Task.WhenAll(StartRunAsync(clientA), StartRunAsync(clientB));

            var runId = Assert.Single(started, id => id is not null)!;
            await WaitRunAsync(clientA, runId);
            await Poll.UntilAsync(
                async () => await ServedVersionAsync(clientA) != before && await ServedVersionAsync(clientB) == await ServedVersionAsync(clientA),
                "both replicas did not serve the promoted version", cancellationToken: Ct);
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
        await Poll.UntilAsync(
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
            "the run did not finish", hangGuard: TimeSpan.FromMinutes(10), cancellationToken: Ct);
        Assert.True(state == "Succeeded", decision);
        return decision;
    }

    private static async Task WaitReadyAsync(HttpClient client) =>
        await Poll.UntilAsync(async () => (await client.GetAsync("/health/ready", Ct)).IsSuccessStatusCode, "the sample host was not ready", hangGuard: TimeSpan.FromMinutes(10), cancellationToken: Ct);

    private static async Task<int> ServedVersionAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/stats", Ct)).GetProperty("model").GetProperty("version").GetInt32();

    private static async Task<JsonElement> StatsAsync(HttpClient client) => await client.GetFromJsonAsync<JsonElement>("/stats", Ct);

    private static async Task<List<string>> ListAsync(HttpClient client, string user, int count) =>
        [.. (await client.GetFromJsonAsync<JsonElement>($"/users/{user}/recommendations?num_recommendations={count}", Ct)).GetProperty("recommendations").EnumerateArray().Select(r => r.GetProperty("item_id").GetString()!)];

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> PostAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("/recommendations", Json(body), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

}
