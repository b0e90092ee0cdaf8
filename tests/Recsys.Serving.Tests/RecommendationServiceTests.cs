using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Serving.Tests;

/// <summary>
/// Recsys.Serving on its own, as a console program or worker uses it: no HTTP, a SQLite backend, a model trained here.
/// The HTTP endpoints are a layer over this service (Recsys.AspNetCore.Tests covers them).
/// </summary>
public sealed class RecommendationServiceTests
{
    private const string Model = "movies";

    private static readonly Lazy<InteractionDataset> Data = new(() =>
        new SyntheticDataGenerator(new SyntheticDataOptions { Users = 200, Items = 300, Interactions = 8_000, Seed = 3 }).GenerateDataset());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KnownUser_GetsTheModelsTopN_WithoutSeenItems_AndFiltersApply()
    {
        using var directory = new TempDirectory();
        var (model, version) = await RegisterAsync(directory.Path, seed: 1);
        using var host = await StartAsync(directory.Path);
        var service = host.Services.GetRequiredService<IRecommendationService>();

        var user = Data.Value.Users[5];
        var response = await service.RecommendAsync(new RecommendationQuery { UserId = user, Count = 10 }, Ct);

        Assert.Equal(new ModelInfo(Model, version), response.Model);
        Assert.Null(response.Fallback);
        Span<ScoredItem> expected = stackalloc ScoredItem[10];
        var written = model.Recommend(5, expected);
        Assert.Equal(written, response.Recommendations.Count);
        Assert.Equal([.. expected[..written].ToArray().Select(s => model.Items[s.Item])], response.Recommendations.Select(r => r.ItemId));
        var seen = Data.Value.GetUserItems(5).ToArray().Select(i => Data.Value.Items[i]).ToHashSet();
        Assert.DoesNotContain(response.Recommendations, r => seen.Contains(r.ItemId));

        var excluded = response.Recommendations[0].ItemId;
        var filtered = await service.RecommendAsync(new RecommendationQuery { UserId = user, Count = 10, ExcludeItems = [excluded], MinScore = response.Recommendations[^1].Score }, Ct);
        Assert.DoesNotContain(filtered.Recommendations, r => r.ItemId == excluded);
        Assert.All(filtered.Recommendations, r => Assert.True(r.Score >= response.Recommendations[^1].Score));
    }

    [Fact]
    public async Task UnknownUser_GetsThePopularityFallback_AndBadInputNamesTheField()
    {
        using var directory = new TempDirectory();
        await RegisterAsync(directory.Path, seed: 1);
        using var host = await StartAsync(directory.Path);
        var service = host.Services.GetRequiredService<IRecommendationService>();

        var cold = await service.RecommendAsync(new RecommendationQuery { UserId = "nobody-knows-me", Count = 5 }, Ct);
        var error = await Assert.ThrowsAsync<InvalidQueryException>(async () => await service.RecommendAsync(new RecommendationQuery { UserId = "1", Count = 0 }, Ct));

        Assert.Equal("popularity", cold.Fallback);
        Assert.Equal(5, cold.Recommendations.Count);
        Assert.Contains("num_recommendations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewProductionVersion_IsSwappedIn_AndServedWithoutARestart()
    {
        using var directory = new TempDirectory();
        var (_, first) = await RegisterAsync(directory.Path, seed: 1);
        using var host = await StartAsync(directory.Path);
        var service = host.Services.GetRequiredService<IRecommendationService>();
        var provider = host.Services.GetRequiredService<ModelProvider>();
        var swapped = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.Swapped += (target, model) =>
        {
            if (target is null && model.Version.Version != first)
            {
                swapped.TrySetResult(model.Version.Version);
            }
        };

        var (_, second) = await RegisterAsync(directory.Path, seed: 2); // to Production: the change feed reloads

        Assert.Equal(second, await swapped.Task.WaitAsync(TimeSpan.FromMinutes(2), Ct)); // the limit only ends a hang
        var response = await service.RecommendAsync(new RecommendationQuery { UserId = Data.Value.Users[0] }, Ct);
        Assert.Equal(second, response.Model.Version);
    }

    private static async Task<IHost> StartAsync(string registry)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddRecsys().UseSqlite(registry).AddServing(o => o.ModelName = Model);
        var host = builder.Build();
        await host.StartAsync(Ct);
        await host.Services.GetRequiredService<IRecommendationService>().WaitUntilStartedAsync(Ct);
        return host;
    }

    private static async Task<(IRecommender Model, int Version)> RegisterAsync(string directory, int seed)
    {
        var model = RecommenderAlgorithms.Create("als-implicit", new AlgorithmSettings { Rank = 8, Epochs = 3, Seed = (ulong)seed }).Fit(Data.Value, CancellationToken.None);
        await using var backend = SqliteBackend.Open(directory);
        var version = await backend.Registry.RegisterVersionAsync(Model, new NewModelVersion { Trainer = "als-implicit", Actor = "test" }, ModelFormat.Default.Serialize(model), Ct);
        await backend.Registry.TransitionStageAsync(Model, version.Version, ModelStage.Production, archiveExisting: true, "test", null, Ct);
        return (model, version.Version);
    }

    /// <summary>A temporary directory, deleted on dispose.</summary>
    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"recsys-serving-{Guid.NewGuid():N}");

        public void Dispose()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
    }
}
