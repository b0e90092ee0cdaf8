using System.Net.Http.Json;
using System.Text.Json;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.AspNetCore.Tests;

/// <summary>A served item-kNN model answers similar items from its neighbour lists, and serves recommendations.</summary>
public sealed class NeighborhoodServingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Similar_ServedKnnBaseline_IsTheModelsNeighbourList()
    {
        using var directory = new TempDirectory();
        var model = RecommenderAlgorithms.Create("knn-baseline").Fit(TestModels.Dataset, CancellationToken.None);
        using (var buffer = new MemoryStream())
        {
            ModelFile.Write(buffer, model, TestModels.Metadata);
            var registry = ModelRegistries.OpenSqlite(directory.Path);
            var version = await registry.RegisterVersionAsync(TestModels.Model, new NewModelVersion { Trainer = "knn-baseline", Actor = "test" }, buffer.ToArray(), Ct);
            await registry.TransitionStageAsync(TestModels.Model, version.Version, ModelStage.Production, archiveExisting: true, "test", null, Ct);
        }

        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(directory.Path));
        var item = 3;
        var expected = new ScoredItem[5];
        var count = ((IItemSimilarity)model).SimilarItems(item, expected);
        var body = await host.Client.GetFromJsonAsync<JsonElement>($"/items/{TestModels.Dataset.Items[item]}/similar?num_recommendations=5", Ct);
        var recommendations = await host.Client.GetFromJsonAsync<JsonElement>($"/users/{TestModels.Dataset.Users[0]}/recommendations?num_recommendations=5", Ct);

        Assert.Equal(5, count);
        Assert.Equal(
            expected.Select(s => TestModels.Dataset.Items[s.Item]),
            body.GetProperty("similar_items").EnumerateArray().Select(i => i.GetProperty("item_id").GetString()));
        Assert.Equal("knn-baseline", recommendations.GetProperty("algorithm_used").GetString());
        Assert.Equal(5, recommendations.GetProperty("recommendations").GetArrayLength());
    }
}
