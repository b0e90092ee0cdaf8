using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.Retraining.Tests;

/// <summary>A registry that runs keep writing to stays bounded: old versions keep their metadata and lose their artifacts.</summary>
public sealed class RetentionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FiftyRunsOnNewData_KeepTheNewestTenNonProductionArtifactsPerModel_AndEveryVersionsMetadata()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
        using var workspace = Workspace.Sqlite(clock);
        var history = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 120, Items = 150, Interactions = 4_000, Seed = 9 }).GenerateDataset();
        var newest = history.RowTimestamps.ToArray().Max();
        var options = new RetrainingOptions { ModelName = "movies", Split = "random:0.2" };
        options.Promotion.PrimaryMetric = "rmse";
        options.Candidates.Add(new CandidateOptions { Algorithm = "biased-mf", Settings = new AlgorithmSettings { Epochs = 2, Rank = 4 } });
        options.Candidates.Add(new CandidateOptions { Algorithm = "baseline" });
        options.Candidates.Add(new CandidateOptions { Algorithm = "popularity", ModelName = "pop" }); // never judged on RMSE: its versions stay None
        var service = new RetrainingService(
            workspace.Registry, workspace.Runs, InteractionSources.Store(workspace.Interactions, InteractionSources.FromDelegate("history", _ => Task.FromResult(history))),
            Options.Create(options), NullLogger<RetrainingService>.Instance, workspace.Interactions, clock);

        for (var run = 0; run < 50; run++)
        {
            // Each run sees a little new data (so each registers new versions), a simulated hour after the last.
            var fresh = Enumerable.Range(0, 10).Select(k => new Interaction(history.Users[((run * 10) + k) % history.Users.Count], history.Items[(run + k) % history.Items.Count], 4f, newest + (run * 100) + k)).ToArray();
            await workspace.Interactions.AppendAsync(fresh, Ct);
            var finished = await service.RunAsync("schedule", Ct);
            Assert.True(finished.State == RunState.Succeeded, finished.Error);
            clock.Advance(TimeSpan.FromHours(1));
        }

        foreach (var model in new[] { "movies", "pop" })
        {
            var versions = await workspace.Registry.ListVersionsAsync(model, Ct);
            var kept = versions.Where(v => v.Status == ModelVersionStatus.Ready).ToList();
            Assert.InRange(versions.Count, 50, 100); // every version's metadata is kept
            // The newest ten that are not in Production, and the newest Staging version when it is older than those.
            var newestStaging = versions.Where(v => v.Stage == ModelStage.Staging).Select(v => v.Version).DefaultIfEmpty(0).Max();
            var expected = versions.Where(v => v.Stage != ModelStage.Production).OrderByDescending(v => v.Version).Take(10).Select(v => v.Version).ToHashSet();
            if (newestStaging > 0)
            {
                expected.Add(newestStaging);
            }

            Assert.Equal(expected.Order(), kept.Where(v => v.Stage != ModelStage.Production).Select(v => v.Version).Order());
            Assert.All(versions.Where(v => v.Status == ModelVersionStatus.ArtifactDeleted), v => Assert.True(v.Stage == ModelStage.Archived, $"{model} v{v.Version} is {v.Stage}"));
            Assert.Contains(await workspace.Registry.GetHistoryAsync(model, Ct), c => c.Kind == RegistryChangeKind.ArtifactDeleted && c.Reason == "retention: beyond the newest 10 non-Production versions");
        }

        // What is on disk: the artifacts of the versions that kept them, and nothing else.
        var files = Directory.EnumerateFiles(Path.Combine(workspace.Location, "artifacts"), "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToHashSet();
        var live = new HashSet<string>();
        foreach (var model in new[] { "movies", "pop" })
        {
            live.UnionWith((await workspace.Registry.ListVersionsAsync(model, Ct)).Where(v => v.Status == ModelVersionStatus.Ready).Select(v => v.ArtifactSha256));
        }

        Assert.Equal(live.Order(StringComparer.Ordinal), files.Order(StringComparer.Ordinal));
        Assert.InRange(files.Count, 2, 22);
        var production = (await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct))!;
        Assert.NotEmpty(await workspace.Registry.ReadArtifactAsync("movies", production.Version, Ct));
    }
}
