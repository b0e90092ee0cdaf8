using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.Retraining.Tests;

/// <summary>
/// A retrain on newer interactions replaces Production with the fresher model unless it measures worse, judged on a
/// holdout newer than Production's training data; a challenger of another recipe must still beat Production.
/// </summary>
public sealed class RefreshPromotionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_SameRecipeAfterNewInteractions_ReplacesProductionAndItsLineageCoversThem()
    {
        using var workspace = Workspace.Sqlite();
        var (history, fresh) = HeldBack(users: 50, perUser: 40);
        var service = workspace.Service(InteractionSources.Store(workspace.Interactions, Source(history)), OnlyBiasedMf);
        var first = await service.RunAsync("manual", Ct);
        var production = await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct);

        // Nothing new: the same recipe on the same data ties and changes nothing.
        var unchanged = await service.RunAsync("manual", Ct);
        Assert.Equal(production!.Version, (await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct))!.Version);
        Assert.Contains("biased-mf unchanged: v1 already has its recipe trained on this data, so no version was registered", unchanged.Decision, StringComparison.Ordinal);
        Assert.Single(await workspace.Registry.ListVersionsAsync("movies", Ct));

        await workspace.Interactions.AppendAsync(fresh, Ct);
        var refreshed = await service.RunAsync("api", Ct);

        Assert.Equal(RunState.Succeeded, first.State);
        Assert.Equal(RunState.Succeeded, refreshed.State);
        var now = (await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct))!;
        Assert.True(now.Version > production.Version, refreshed.Decision);
        Assert.Contains("Promote: refresh:", refreshed.Decision, StringComparison.Ordinal);
        Assert.Contains("its served artifact as is, on interactions newer than its training data", refreshed.Decision, StringComparison.Ordinal);
        var split = Assert.Single(refreshed.Steps, s => s.Name == "split");
        Assert.StartsWith($"newer than {history.RowTimestamps.ToArray().Max()}: the newest {fresh.Length / 2} of the {fresh.Length} interactions after it held out", split.Detail, StringComparison.Ordinal);
        Assert.Equal(history.Count + fresh.Length, now.Lineage!.Rows);
        Assert.Equal(fresh.Max(i => i.Timestamp), now.Lineage.NewestTimestamp);
        var audit = await workspace.Registry.GetHistoryAsync("movies", Ct);
        Assert.Contains(audit, e => e.Version == now.Version && e.ToStage == ModelStage.Production && e.Reason!.Contains("refresh:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_WorseChallengerAfterNewInteractions_IsNotPromoted()
    {
        using var workspace = Workspace.Sqlite();
        var (history, fresh) = HeldBack(users: 50, perUser: 40);
        var source = InteractionSources.Store(workspace.Interactions, Source(history));
        await workspace.Service(source, OnlyBiasedMf).RunAsync("manual", Ct);
        var production = (await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct))!;
        await workspace.Interactions.AppendAsync(fresh, Ct);

        // A deliberately worse model: biases only, no factors.
        var run = await workspace.Service(source, o =>
        {
            o.Candidates.Clear();
            o.Candidates.Add(new CandidateOptions { Algorithm = "baseline" });
        }).RunAsync("api", Ct);

        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Equal(production.Version, (await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct))!.Version);
        Assert.Contains("Stage: rmse", run.Decision, StringComparison.Ordinal);
        Assert.DoesNotContain("refresh", run.Decision, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AHandfulOfNewerInteractions_UsesTheConfiguredSplit_AndTheSameRecipeStillRefreshesOnATie()
    {
        using var workspace = Workspace.Sqlite();
        var (history, fresh) = HeldBack(users: 3, perUser: 3); // 9 newer interactions: a holdout of 5 is no evidence
        var service = workspace.Service(InteractionSources.Store(workspace.Interactions, Source(history)), OnlyBiasedMf);
        await service.RunAsync("manual", Ct);
        var production = (await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct))!;
        await workspace.Interactions.AppendAsync(fresh, Ct);

        var run = await service.RunAsync("api", Ct);

        Assert.StartsWith("random:0.2 seed 42: ", Assert.Single(run.Steps, s => s.Name == "split").Detail, StringComparison.Ordinal);
        Assert.Contains("(its trainer and parameters retrained on this split)", Assert.Single(run.Steps, s => s.Name == "evaluate").Detail, StringComparison.Ordinal);
        Assert.Contains("Promote: refresh: rmse", run.Decision, StringComparison.Ordinal);
        Assert.Contains("is within the refresh margin 0.01 of Production's", run.Decision, StringComparison.Ordinal);
        Assert.True((await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct))!.Version > production.Version);
    }

    private static void OnlyBiasedMf(RetrainingOptions options)
    {
        options.Candidates.Clear();
        options.Candidates.Add(new CandidateOptions { Algorithm = "biased-mf", Settings = new AlgorithmSettings { Epochs = 10, Rank = 8 } });
    }

    private static IInteractionSource Source(InteractionDataset data) => InteractionSources.FromDelegate("history", _ => Task.FromResult(data));

    /// <summary>The synthetic data without the first <paramref name="perUser"/> ratings of <paramref name="users"/> users, and those ratings as new ones (after everything else in time).</summary>
    private static (InteractionDataset History, Interaction[] Fresh) HeldBack(int users, int perUser)
    {
        var data = Workspace.SmallData;
        var newest = data.RowTimestamps.ToArray().Max();
        var held = new HashSet<(string, string)>();
        var fresh = new List<Interaction>();
        for (var u = 0; u < users; u++)
        {
            var items = data.GetUserItems(u);
            var values = data.GetUserValues(u);
            for (var j = 0; j < Math.Min(perUser, items.Length); j++)
            {
                fresh.Add(new Interaction(data.Users[u], data.Items[items[j]], values[j], newest + 1 + fresh.Count));
                held.Add((data.Users[u], data.Items[items[j]]));
            }
        }

        var kept = Enumerable.Range(0, data.Count).Where(r => !held.Contains((data.Users[data.RowUsers[r]], data.Items[data.RowItems[r]]))).ToArray();
        return (data.Subset(kept), [.. fresh]);
    }
}
