using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Retraining;
using Recsys.Runs;

namespace Recsys.AspNetCore.Tests;

/// <summary>
/// A trainer written outside the library (with its own model type and serializer) goes through the whole loop: the
/// retraining flow trains, evaluates, registers and promotes it; the host hot-reloads it and serves its top-N with the
/// usual exclusions; a retrain on fresh data promotes a new version, which replaces it without a restart.
/// </summary>
public sealed class CustomModelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CustomTrainer_IsTrainedRegisteredPromotedHotReloadedAndServed()
    {
        using var directory = new TempDirectory();
        var data = Ratings(withNewHit: false);
        await using var host = await ServingHost.StartAsync(builder =>
        {
            ServingHost.Sqlite(directory.Path)(builder);
            builder.AddModelSerializer<CountModelSerializer>();
            builder.Services.AddSingleton(InteractionSources.FromDelegate("test ratings", _ => Task.FromResult(data)));
            builder.AddRetraining(options =>
            {
                options.ModelName = TestModels.Model;
                options.Candidates.Add(new CandidateOptions { Algorithm = "count", Trainer = () => new CountTrainer(), Purpose = ModelPurpose.Ranking });
                options.Promotion.PrimaryMetric = "ndcg_at_k";
            });
        });
        var flow = host.Services.GetRequiredService<RetrainingService>();

        var first = await flow.RunAsync("test", Ct);
        Assert.Equal(RunState.Succeeded, first.State);
        var v1 = await host.Registry.GetByStageAsync(TestModels.Model, ModelStage.Production, Ct);
        Assert.NotNull(v1);
        Assert.Equal("count", v1.Trainer);
        await ReloadAsync(host.Client);

        // Served from the custom model: the most-counted items the user has not seen, best first.
        var served = await RecommendAsync(host.Client, "u1");
        Assert.Equal(v1.Version, served.Version);
        Assert.Equal(ExpectedTop(data, "u1", 5), served.Items);
        Assert.DoesNotContain("i0", served.Items); // u1 rated i0, the most popular item

        // Fresh data: a new item everybody rates. The retrain promotes a version that knows it, and the host swaps it in.
        data = Ratings(withNewHit: true);
        var second = await flow.RunAsync("test", Ct);
        Assert.Equal(RunState.Succeeded, second.State);
        var v2 = await host.Registry.GetByStageAsync(TestModels.Model, ModelStage.Production, Ct);
        Assert.NotNull(v2);
        Assert.True(v2.Version > v1.Version, second.Decision);
        await ReloadAsync(host.Client);
        var user = "u40"; // a multiple of 4: has not rated the new hit
        var after = await RecommendAsync(host.Client, user);
        Assert.Equal(v2.Version, after.Version);
        Assert.Equal("new-hit", after.Items[0]);
        Assert.Equal(ExpectedTop(data, user, 5), after.Items);
    }

    [Fact]
    public async Task HostWithoutTheSerializer_ReportsTheMissingFormat_AndKeepsTheRegistryUnchanged()
    {
        using var directory = new TempDirectory();
        var registry = ModelRegistries.OpenSqlite(directory.Path);
        var format = new ModelFormat([new CountModelSerializer()]);
        var model = new CountTrainer().Fit(Ratings(withNewHit: false), null, Ct);
        var version = await registry.RegisterVersionAsync(TestModels.Model, new NewModelVersion { Trainer = "count", Actor = "test" }, format.Serialize(model), Ct);
        await registry.TransitionStageAsync(TestModels.Model, version.Version, ModelStage.Production, archiveExisting: true, "test", null, Ct);

        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(directory.Path));
        using var response = await host.Client.GetAsync("/users/u1/recommendations", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString();
        Assert.Contains("custom model of format 'test.count/1'", detail, StringComparison.Ordinal);
        Assert.Contains("AddModelSerializer", detail, StringComparison.Ordinal);
        Assert.Equal(ModelStage.Production, (await registry.GetVersionAsync(TestModels.Model, version.Version, Ct)).Stage);
    }

    private static async Task ReloadAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/reload-models");
        request.Headers.Add("X-Api-Key", "test-key");
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<(int Version, string[] Items)> RecommendAsync(HttpClient client, string user)
    {
        var body = await client.GetFromJsonAsync<JsonElement>($"/users/{user}/recommendations?num_recommendations=5", Ct);
        return (
            body.GetProperty("model").GetProperty("version").GetInt32(),
            body.GetProperty("recommendations").EnumerateArray().Select(r => r.GetProperty("item_id").GetString()!).ToArray());
    }

    /// <summary>What the count model must serve: unseen items by descending count, ties by the lower index.</summary>
    private static string[] ExpectedTop(InteractionDataset data, string userId, int n)
    {
        var seen = data.GetUserItems(data.Users.IndexOf(userId)).ToArray().ToHashSet();
        return Enumerable.Range(0, data.Items.Count)
            .Where(i => !seen.Contains(i))
            .OrderByDescending(i => data.GetItemUsers(i).Length).ThenBy(i => i)
            .Take(n).Select(i => data.Items[i]).ToArray();
    }

    /// <summary>
    /// 200 users, 60 items: i0 is rated by the odd users (100), item i by about (60 - i) / 120 of them. With
    /// <paramref name="withNewHit"/>, the users whose number is not a multiple of 4 also rate "new-hit" (150: the
    /// most-counted item once a retrain sees it).
    /// </summary>
    private static InteractionDataset Ratings(bool withNewHit)
    {
        var builder = new InteractionDatasetBuilder();
        var random = new Random(7);
        for (var u = 0; u < 200; u++)
        {
            for (var i = 0; i < 60; i++)
            {
                if (i == 0 ? u % 2 == 1 : random.NextDouble() < (60 - i) / 60.0 * 0.5)
                {
                    builder.Add($"u{u}", $"i{i}", 4f, 0);
                }
            }

            if (withNewHit && u % 4 != 0)
            {
                builder.Add($"u{u}", "new-hit", 5f, 1);
            }
        }

        return builder.Build();
    }

    /// <summary>Counts each item's interactions; a trainer a user of the library could write.</summary>
    private sealed class CountTrainer : IRecommenderTrainer
    {
        public string Algorithm => "count";

        public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
        {
            var counts = new float[training.Items.Count];
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] = training.GetItemUsers(i).Length;
            }

            var seen = new int[training.Users.Count][];
            for (var u = 0; u < seen.Length; u++)
            {
                seen[u] = training.GetUserItems(u).ToArray();
            }

            return new CountModel(training.Users, training.Items, counts, seen);
        }
    }

    private sealed class CountModel(IdMap users, IdMap items, float[] counts, int[][] seen) : IRecommender
    {
        public string Algorithm => "count";

        public IdMap Users => users;

        public IdMap Items => items;

        public float[] Counts => counts;

        public int[][] Seen => seen;

        public float Predict(int user, int item) => item >= 0 ? counts[item] : 0f;

        public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> destination)
        {
            for (var k = 0; k < users.Length; k++)
            {
                destination[k] = Predict(users[k], items[k]);
            }
        }

        public int Recommend(int user, Span<ScoredItem> destination, RecommendationFilter? filter = null)
        {
            filter ??= RecommendationFilter.Default;
            var excluded = filter.ExcludeSeen && user >= 0 ? seen[user].ToHashSet() : [];
            var ranked = Enumerable.Range(0, counts.Length)
                .Where(i => !excluded.Contains(i) && filter.Admits(i) && (filter.MinScore is not { } min || counts[i] >= min))
                .OrderByDescending(i => counts[i]).ThenBy(i => i)
                .Take(destination.Length).ToArray();
            for (var k = 0; k < ranked.Length; k++)
            {
                destination[k] = new ScoredItem(ranked[k], counts[ranked[k]]);
            }

            return ranked.Length;
        }
    }

    private sealed class CountModelSerializer : IModelSerializer
    {
        public string Format => "test.count/1";

        public bool CanWrite(IRecommender model) => model is CountModel;

        public void Write(IRecommender model, Stream destination)
        {
            var count = (CountModel)model;
            using var writer = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true);
            WriteIds(writer, count.Users);
            WriteIds(writer, count.Items);
            foreach (var c in count.Counts)
            {
                writer.Write(c);
            }

            foreach (var items in count.Seen)
            {
                writer.Write(items.Length);
                foreach (var item in items)
                {
                    writer.Write(item);
                }
            }
        }

        public IRecommender Read(Stream source)
        {
            using var reader = new BinaryReader(source, Encoding.UTF8, leaveOpen: true);
            var users = ReadIds(reader);
            var items = ReadIds(reader);
            var counts = new float[items.Count];
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] = reader.ReadSingle();
            }

            var seen = new int[users.Count][];
            for (var u = 0; u < seen.Length; u++)
            {
                seen[u] = new int[reader.ReadInt32()];
                for (var k = 0; k < seen[u].Length; k++)
                {
                    seen[u][k] = reader.ReadInt32();
                }
            }

            return new CountModel(users, items, counts, seen);
        }

        private static void WriteIds(BinaryWriter writer, IdMap ids)
        {
            writer.Write(ids.Count);
            foreach (var id in ids)
            {
                writer.Write(id);
            }
        }

        private static IdMap ReadIds(BinaryReader reader)
        {
            var ids = new string[reader.ReadInt32()];
            for (var k = 0; k < ids.Length; k++)
            {
                ids[k] = reader.ReadString();
            }

            return IdMap.Create(ids);
        }
    }
}
