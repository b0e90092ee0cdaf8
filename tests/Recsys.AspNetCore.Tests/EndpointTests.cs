using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Recsys.Registry;

namespace Recsys.AspNetCore.Tests;

/// <summary>The endpoints in-process, on a SQLite registry with real trained models.</summary>
public sealed class EndpointTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private ServingHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var registry = ModelRegistries.OpenSqlite(_directory.Path);
        await TestModels.RegisterAsync(registry, seed: 1);
        _host = await ServingHost.StartAsync(ServingHost.Sqlite(_directory.Path));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Recommendations_KnownUser_RealUnseenItemsFromTheProductionModel()
    {
        var user = TestModels.Dataset.Users[0];
        var body = await GetJsonAsync($"/users/{user}/recommendations?num_recommendations=7");

        var items = body.GetProperty("recommendations").EnumerateArray().ToList();
        Assert.Equal(7, items.Count);
        var seen = TestModels.Dataset.GetUserItems(0).ToArray().Select(i => TestModels.Dataset.Items[i]).ToHashSet();
        Assert.All(items, i => Assert.DoesNotContain(i.GetProperty("item_id").GetString()!, seen));
        Assert.All(items, i => Assert.StartsWith("Movie ", i.GetProperty("title").GetString(), StringComparison.Ordinal));
        var scores = items.Select(i => i.GetProperty("score").GetSingle()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.Equal(("movies", 1), (body.GetProperty("model").GetProperty("name").GetString(), body.GetProperty("model").GetProperty("version").GetInt32()));
        Assert.Equal("als-implicit", body.GetProperty("algorithm_used").GetString());
        Assert.False(body.TryGetProperty("fallback", out _));
    }

    [Fact]
    public async Task OriginalClients_NumericIdsIntegralCountsAndAByteOrderMark_AreAccepted()
    {
        var user = long.Parse(TestModels.Dataset.Users[2], System.Globalization.CultureInfo.InvariantCulture);
        var asString = await PostJsonAsync("/recommendations", new { user_id = user.ToString(System.Globalization.CultureInfo.InvariantCulture), num_recommendations = 5 });

        // The original's shape: numbers for ids, a float count, a BOM before the JSON.
        using var content = new StringContent($"\uFEFF{{\"user_id\": {user}, \"num_recommendations\": 5.0, \"exclude_seen\": true, \"filters\": {{\"exclude_items\": [1, \"2\"]}}}}", new UTF8Encoding(false));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await _host.Client.PostAsync("/recommendations", content, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        var asNumber = JsonDocument.Parse(body).RootElement;

        Assert.Equal(asString.GetProperty("user_id").GetString(), asNumber.GetProperty("user_id").GetString());
        Assert.Equal(5, asNumber.GetProperty("recommendations").GetArrayLength());
        Assert.DoesNotContain(asNumber.GetProperty("recommendations").EnumerateArray(), i => i.GetProperty("item_id").GetString() is "1" or "2");

        using var interaction = await _host.Client.PostAsJsonAsync("/interactions", new { user_id = 3, item_id = 2455, rating = 4.5, interaction_type = "rating" }, Ct);
        Assert.Equal(HttpStatusCode.Created, interaction.StatusCode);
        using var implicitOne = await _host.Client.PostAsJsonAsync("/interactions", new { user_id = "3", item_id = 17, interaction_type = "purchase" }, Ct);
        Assert.Equal(HttpStatusCode.Created, implicitOne.StatusCode);

        // Stored and returned with their kind; a rating-less interaction has the value 1.
        var stored = (await GetJsonAsync("/users/3/interactions")).GetProperty("interactions").EnumerateArray().ToList();
        Assert.Equal(2, stored.Count);
        Assert.Equal(("2455", 4.5f, "rating"), (stored[0].GetProperty("item_id").GetString(), stored[0].GetProperty("rating").GetSingle(), stored[0].GetProperty("interaction_type").GetString()));
        Assert.Equal(("17", 1f, "purchase"), (stored[1].GetProperty("item_id").GetString(), stored[1].GetProperty("rating").GetSingle(), stored[1].GetProperty("interaction_type").GetString()));
    }

    [Theory]
    [InlineData(1e10, "[1].rating 1E+10")]
    [InlineData(-3, "[1].rating -3")]
    [InlineData(5.5, "[1].rating 5.5")]
    public async Task Interactions_RatingOffTheDataScale_400NamingTheEntryAndNothingStored(double rating, string named)
    {
        var scale = $"{TestModels.Dataset.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture)} to {TestModels.Dataset.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        Assert.True(TestModels.Dataset.MaxValue < 5.5f, scale); // the served model's data is the scale

        using var response = await _host.Client.PostAsJsonAsync("/interactions", new object[] { new { user_id = "scale-user", item_id = 1, rating = 3 }, new { user_id = "scale-user", item_id = 2, rating } }, Ct);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"{named} is outside the rating scale {scale} (the scale of the served model's data; Recsys:RatingScale sets another).", problem.GetProperty("detail").GetString());
        Assert.Equal(0, (await GetJsonAsync("/users/scale-user/interactions")).GetProperty("interactions").GetArrayLength());
    }

    [Theory]
    [InlineData("/users/1/recommendations?num_recommendations=3")]
    [InlineData("/items/1/similar")]
    [InlineData("/stats")]
    public async Task Head_OnAGetEndpoint_AnswersLikeGet(string path)
    {
        using var get = await _host.Client.GetAsync(path, Ct);
        using var head = await _host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Ct);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Recommendations_SecondIdenticalRequest_IsACacheHit()
    {
        var request = new { user_id = TestModels.Dataset.Users[1], num_recommendations = 5 };
        var first = await PostJsonAsync("/recommendations", request);
        var second = await PostJsonAsync("/recommendations", request);

        Assert.False(first.GetProperty("cache_hit").GetBoolean());
        Assert.True(second.GetProperty("cache_hit").GetBoolean());
        Assert.Equal(first.GetProperty("recommendations").ToString(), second.GetProperty("recommendations").ToString());
    }

    [Fact]
    public async Task Recommendations_UnknownUser_PopularityFallbackThatRespectsFilters()
    {
        var unfiltered = await PostJsonAsync("/recommendations", new { user_id = "new-user", num_recommendations = 5 });
        var top = unfiltered.GetProperty("recommendations")[0].GetProperty("item_id").GetString()!;
        var filtered = await PostJsonAsync("/recommendations", new { user_id = "new-user", num_recommendations = 5, filters = new { exclude_items = new[] { top }, include_genres = new[] { "Animation" } } });

        Assert.Equal("popularity", unfiltered.GetProperty("fallback").GetString());
        Assert.Equal("popularity", filtered.GetProperty("algorithm_used").GetString());
        var ids = filtered.GetProperty("recommendations").EnumerateArray().Select(i => i.GetProperty("item_id").GetString()!).ToList();
        Assert.Equal(5, ids.Count);
        Assert.DoesNotContain(top, ids);
        Assert.All(ids, id => Assert.Equal(0, int.Parse(id, System.Globalization.CultureInfo.InvariantCulture) % 5)); // Animation = every fifth item
    }

    [Fact]
    public async Task Recommendations_NewUserWhoRatedItems_GetsAFoldedInListAtOnce_NotPopularity()
    {
        const string User = "fold-in-user";
        var request = new { user_id = User, num_recommendations = 10 };
        var before = await PostJsonAsync("/recommendations", request);
        var known = TestModels.Dataset.GetUserItems(0).ToArray().Take(8).Select(i => TestModels.Dataset.Items[i]).ToList();

        using var posted = await _host.Client.PostAsJsonAsync("/interactions", known.Select(item => new { user_id = User, item_id = item, rating = TestModels.Dataset.MaxValue }).ToArray(), Ct);
        var after = await PostJsonAsync("/recommendations", request);
        var forUser = await GetJsonAsync($"/users/{User}/recommendations?num_recommendations=10");

        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        Assert.Equal("popularity", before.GetProperty("fallback").GetString());
        Assert.Equal(("fold-in", "als-implicit", false), (after.GetProperty("fallback").GetString(), after.GetProperty("algorithm_used").GetString(), after.GetProperty("cache_hit").GetBoolean()));
        var list = after.GetProperty("recommendations").EnumerateArray().Select(i => i.GetProperty("item_id").GetString()!).ToList();
        Assert.Equal(10, list.Count);
        Assert.Empty(list.Intersect(known));
        Assert.NotEqual(before.GetProperty("recommendations").EnumerateArray().Select(i => i.GetProperty("item_id").GetString()!).Except(known).Take(10), list);
        Assert.Equal(list, forUser.GetProperty("recommendations").EnumerateArray().Select(i => i.GetProperty("item_id").GetString()!));
        Assert.Equal("fold-in", forUser.GetProperty("fallback").GetString());
    }

    [Fact]
    public async Task Recommendations_GenreAndScoreFilters_AreApplied()
    {
        var user = TestModels.Dataset.Users[2];
        var body = await PostJsonAsync("/recommendations", new { user_id = user, num_recommendations = 20, filters = new { include_genres = new[] { "comedy" }, exclude_genres = new[] { "Animation" }, min_score = 0.01 } });

        var items = body.GetProperty("recommendations").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, i =>
        {
            var id = int.Parse(i.GetProperty("item_id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(id % 2 == 0 && id % 5 != 0, $"item {id} is not a non-animated comedy");
            Assert.True(i.GetProperty("score").GetSingle() >= 0.01f);
        });
    }

    [Fact]
    public async Task Interactions_AreStoredAndExcludedAtOnce()
    {
        var user = TestModels.Dataset.Users[3];
        var before = await GetJsonAsync($"/users/{user}/recommendations?num_recommendations=3");
        var top = before.GetProperty("recommendations")[0].GetProperty("item_id").GetString()!;

        using var post = await _host.Client.PostAsJsonAsync("/interactions", new[] { new { user_id = user, item_id = top, rating = 5.0 } }, Ct);
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        var after = await GetJsonAsync($"/users/{user}/recommendations?num_recommendations=3");

        Assert.DoesNotContain(top, after.GetProperty("recommendations").EnumerateArray().Select(i => i.GetProperty("item_id").GetString()));
        Assert.Equal(1, (await GetJsonAsync("/stats")).GetProperty("stored_interactions").GetInt64());
        await using var backend = SqliteBackend.Open(_directory.Path);
        Assert.Equal((user, top, 5f), (await backend.Interactions.GetUserInteractionsAsync(user, Ct)).Select(i => (i.UserId, i.ItemId, i.Value)).Single());
    }

    [Fact]
    public async Task Similar_KnownItem_ReturnsOtherItems_UnknownItemIs404()
    {
        var item = TestModels.Dataset.Items[0];
        var body = await GetJsonAsync($"/items/{item}/similar?num_recommendations=4");
        using var unknown = await _host.Client.GetAsync("/items/no-such-item/similar", Ct);

        var ids = body.GetProperty("similar_items").EnumerateArray().Select(i => i.GetProperty("item_id").GetString()).ToList();
        Assert.Equal(4, ids.Count);
        Assert.DoesNotContain(item, ids);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Stats_ReportTheRegistryMetricsOfTheServedVersion()
    {
        var stats = await GetJsonAsync("/stats");

        Assert.Equal(1, stats.GetProperty("model").GetProperty("version").GetInt32());
        Assert.Equal(0.101, stats.GetProperty("metrics").GetProperty("ndcg_at_k").GetDouble(), 6);
        Assert.Equal(TestModels.Dataset.Users.Count, stats.GetProperty("users").GetInt32());
        Assert.Equal("Production", stats.GetProperty("stage").GetString());
    }

    [Fact]
    public async Task Health_LiveReadyAndMetricsAnswer()
    {
        var meters = _host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var served = new MetricCollector<long>(meters, RecsysTelemetry.MeterName, "recsys.recommendations");
        using var version = new MetricCollector<long>(meters, RecsysTelemetry.MeterName, "recsys.model.version");
        using var live = await _host.Client.GetAsync("/health/live", Ct);
        using var ready = await _host.Client.GetAsync("/health/ready", Ct);
        await PostJsonAsync("/recommendations", new { user_id = "x" });
        var openApi = await GetJsonAsync("/openapi/recsys.json");
        version.RecordObservableInstruments();

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (live.StatusCode, ready.StatusCode));
        var request = Assert.Single(served.GetMeasurementSnapshot());
        Assert.Equal(("popularity", TestModels.Model), (request.Tags[RecsysTelemetry.Fallback], request.Tags[RecsysTelemetry.ModelName]));
        Assert.Contains(version.GetMeasurementSnapshot(), m => m.Value == 1 && Equals(m.Tags[RecsysTelemetry.ModelStage], "Production"));
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/recommendations", out _));
    }

    [Fact]
    public async Task AdminEndpoints_NeedTheKey()
    {
        using var missing = await _host.Client.PostAsync("/admin/reload-models", null, Ct);
        using var wrong = await SendAsync(HttpMethod.Post, "/admin/reload-models", "nope");
        using var right = await SendAsync(HttpMethod.Post, "/admin/reload-models", "test-key");
        using var retrain = await SendAsync(HttpMethod.Post, "/models/retrain", "test-key");

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, retrain.StatusCode); // a serving host maps no training: MapRetraining is opt-in
    }

    public static TheoryData<string, string?, string> BadBodies => new()
    {
        { "malformed JSON", "application/json", "{\"user_id\": \"1\"," },
        { "boolean user_id", "application/json", "{\"user_id\": true}" },
        { "fractional user_id", "application/json", "{\"user_id\": 1.5}" },
        { "object user_id", "application/json", "{\"user_id\": {\"id\": 1}}" },
        { "boolean in exclude_items", "application/json", "{\"user_id\": 1, \"filters\": {\"exclude_items\": [1, false]}}" },
        { "wrong type of num_recommendations", "application/json", "{\"user_id\": \"1\", \"num_recommendations\": \"ten\"}" },
        { "num_recommendations 0", "application/json", "{\"user_id\": \"1\", \"num_recommendations\": 0}" },
        { "num_recommendations 101", "application/json", "{\"user_id\": \"1\", \"num_recommendations\": 101}" },
        { "num_recommendations -1", "application/json", "{\"user_id\": \"1\", \"num_recommendations\": -1}" },
        { "num_recommendations huge", "application/json", "{\"user_id\": \"1\", \"num_recommendations\": 99999999999999999999}" },
        { "num_recommendations fractional", "application/json", "{\"user_id\": \"1\", \"num_recommendations\": 2.5}" },
        { "10 kB user id", "application/json", $"{{\"user_id\": \"{new string('u', 10_240)}\"}}" },
        { "empty user id", "application/json", "{\"user_id\": \"  \"}" },
        { "missing user id", "application/json", "{\"num_recommendations\": 3}" },
        { "unknown algorithm", "application/json", "{\"user_id\": \"1\", \"algorithm\": \"no-such-model\"}" },
        { "missing body", "application/json", "" },
        { "JSON null", "application/json", "null" },
        { "array body", "application/json", "[1, 2]" },
        { "filters of the wrong type", "application/json", "{\"user_id\": \"1\", \"filters\": {\"exclude_items\": \"42\"}}" },
        { "non-finite min_score", "application/json", "{\"user_id\": \"1\", \"filters\": {\"min_score\": \"NaN\"}}" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadInput_IsA400ProblemNever5xx(string what, string? contentType, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await _host.Client.PostAsync("/recommendations", content, Ct);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.DoesNotContain("   at ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/users/1/recommendations?num_recommendations=abc", HttpStatusCode.BadRequest)]
    [InlineData("/users/1/recommendations?num_recommendations=0", HttpStatusCode.BadRequest)]
    [InlineData("/users/1/recommendations?exclude_seen=maybe", HttpStatusCode.BadRequest)]
    [InlineData("/users/1/recommendations?algorithm=unknown", HttpStatusCode.BadRequest)]
    [InlineData("/items/1/similar?num_recommendations=1000", HttpStatusCode.BadRequest)]
    public async Task BadQuery_IsAProblem(string url, HttpStatusCode expected)
    {
        using var response = await _host.Client.GetAsync(url, Ct);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OversizedBodyAndWrongMediaType_AreRejectedWithProblems()
    {
        using var big = new StringContent($"{{\"user_id\": \"1\", \"filters\": {{\"exclude_items\": [{string.Join(',', Enumerable.Repeat("\"123456789\"", 10_000))}]}}}}", Encoding.UTF8, "application/json");
        using var tooLarge = await _host.Client.PostAsync("/recommendations", big, Ct);
        using var text = new StringContent("user_id=1", Encoding.UTF8, "text/plain");
        using var wrongType = await _host.Client.PostAsync("/recommendations", text, Ct);
        using var interactions = await _host.Client.PostAsJsonAsync("/interactions", new { user_id = "1" }, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, interactions.StatusCode);
        Assert.Contains("item_id", await interactions.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await _host.Client.GetAsync(url, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<JsonElement> PostJsonAsync(string url, object body)
    {
        using var response = await _host.Client.PostAsJsonAsync(url, body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"POST {url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string key)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-Api-Key", key);
        return _host.Client.SendAsync(request, Ct);
    }
}
