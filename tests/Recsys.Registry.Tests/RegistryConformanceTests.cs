using System.Text;

namespace Recsys.Registry.Tests;

/// <summary>The registry contract, run against every backend (derived classes).</summary>
public abstract class RegistryConformanceTests : IDisposable
{
    private readonly IModelRegistry _registry;

    protected RegistryConformanceTests() => _registry = CreateRegistry();

    protected IModelRegistry Registry => _registry;

    public void Dispose()
    {
        (_registry as IDisposable)?.Dispose();
        DisposeStore();
        GC.SuppressFinalize(this);
    }

    protected abstract IModelRegistry CreateRegistry();

    protected virtual void DisposeStore()
    {
    }

    protected static NewModelVersion Candidate(double rmse, string actor = "test") => new()
    {
        Trainer = "biased-mf",
        Parameters = """{"rank":50}""",
        Metrics = new Dictionary<string, double> { ["rmse"] = rmse, ["test_size"] = 20_000 },
        Lineage = new ModelLineage("abc123", 80_000, 610, 8_900, "temporal:0.2", "0.1.0"),
        Tags = new Dictionary<string, string> { ["team"] = "recs" },
        Actor = actor,
    };

    protected static byte[] Artifact(string text) => Encoding.UTF8.GetBytes(text);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RegisterVersion_NewModel_CreatesItAndNumbersFromOne()
    {
        var first = await Registry.RegisterVersionAsync("movies", Candidate(0.9), Artifact("model one"), Ct);
        var second = await Registry.RegisterVersionAsync("movies", Candidate(0.85), Artifact("model two"), Ct);

        Assert.Equal(1, first.Version);
        Assert.Equal(2, second.Version);
        Assert.Equal(ModelVersionStatus.Ready, second.Status);
        Assert.Equal(ModelStage.None, second.Stage);
        Assert.Equal(0.85, second.Metrics["rmse"]);
        Assert.Equal("abc123", second.Lineage!.DataFingerprint);
        Assert.Equal("recs", second.Tags["team"]);
        Assert.Equal(64, second.ArtifactSha256.Length);
        Assert.Equal(Artifact("model two"), await Registry.ReadArtifactAsync("movies", 2, Ct));
        Assert.Equal([2, 1], (await Registry.ListVersionsAsync("movies", Ct)).Select(v => v.Version));
        Assert.Equal(["movies"], (await Registry.ListModelsAsync(null, Ct)).Select(m => m.Name));
    }

    [Fact]
    public async Task DeleteArtifact_ArchivedVersion_KeepsMetadataAndHistoryAndRefusesToLoadIt()
    {
        await Registry.RegisterVersionAsync("movies", Candidate(0.9), Artifact("old model"), Ct);
        await Registry.TransitionStageAsync("movies", 1, ModelStage.Archived, false, "t", null, Ct);

        var deleted = await Registry.DeleteArtifactAsync("movies", 1, "retention", "beyond the newest 10", Ct);
        var again = await Registry.DeleteArtifactAsync("movies", 1, "retention", "beyond the newest 10", Ct);

        Assert.Equal(ModelVersionStatus.ArtifactDeleted, deleted.Status);
        Assert.Equal(ModelVersionStatus.ArtifactDeleted, again.Status);
        Assert.Equal((0.9, "abc123", ModelStage.Archived), (deleted.Metrics["rmse"], deleted.Lineage!.DataFingerprint, deleted.Stage));
        var read = await Assert.ThrowsAsync<RegistryException>(() => Registry.ReadArtifactAsync("movies", 1, Ct));
        Assert.Equal("movies version 1 is ArtifactDeleted, not Ready.", read.Message);
        await Assert.ThrowsAsync<RegistryException>(() => Registry.TransitionStageAsync("movies", 1, ModelStage.Production, true, "t", null, Ct));
        var change = Assert.Single(await Registry.GetHistoryAsync("movies", Ct), c => c.Kind == RegistryChangeKind.ArtifactDeleted);
        Assert.Equal(("retention", "beyond the newest 10", 1), (change.Actor, change.Reason, change.Version));
    }

    [Fact]
    public async Task DeleteArtifact_ServedStagedOrAliasedVersion_IsRefusedAndStillLoads()
    {
        await Registry.RegisterVersionAsync("movies", Candidate(0.9), Artifact("one"), Ct);
        await Registry.RegisterVersionAsync("movies", Candidate(0.8), Artifact("two"), Ct);
        await Registry.RegisterVersionAsync("movies", Candidate(0.7), Artifact("three"), Ct);
        await Registry.TransitionStageAsync("movies", 1, ModelStage.Production, true, "t", null, Ct);
        await Registry.TransitionStageAsync("movies", 2, ModelStage.Staging, false, "t", null, Ct);
        await Registry.SetAliasAsync("movies", "champion", 3, "t", null, Ct);

        var production = await Assert.ThrowsAsync<RegistryException>(() => Registry.DeleteArtifactAsync("movies", 1, "t", null, Ct));
        var staging = await Assert.ThrowsAsync<RegistryException>(() => Registry.DeleteArtifactAsync("movies", 2, "t", null, Ct));
        var aliased = await Assert.ThrowsAsync<RegistryException>(() => Registry.DeleteArtifactAsync("movies", 3, "t", null, Ct));

        Assert.Equal("movies version 1 is in Production; move it to Archived before deleting its artifact.", production.Message);
        Assert.Equal("movies version 2 is in Staging; move it to Archived before deleting its artifact.", staging.Message);
        Assert.Equal("movies version 3 has the alias champion; delete it before deleting its artifact.", aliased.Message);
        Assert.Equal([Artifact("one"), Artifact("two"), Artifact("three")], [await Registry.ReadArtifactAsync("movies", 1, Ct), await Registry.ReadArtifactAsync("movies", 2, Ct), await Registry.ReadArtifactAsync("movies", 3, Ct)]);
    }

    [Fact]
    public async Task DeleteArtifact_BytesSharedWithAnotherVersion_StayForIt()
    {
        await Registry.RegisterVersionAsync("movies", Candidate(0.9), Artifact("same bytes"), Ct);
        await Registry.RegisterVersionAsync("movies", Candidate(0.9), Artifact("same bytes"), Ct);

        await Registry.DeleteArtifactAsync("movies", 1, "t", null, Ct);

        Assert.Equal(Artifact("same bytes"), await Registry.ReadArtifactAsync("movies", 2, Ct));
        await Registry.DeleteArtifactAsync("movies", 2, "t", null, Ct);
        await Registry.RegisterVersionAsync("movies", Candidate(0.9), Artifact("same bytes"), Ct);
        Assert.Equal(Artifact("same bytes"), await Registry.ReadArtifactAsync("movies", 3, Ct)); // stored again
    }

    [Fact]
    public async Task UnknownNames_ThrowSpecificErrors()
    {
        var model = await Assert.ThrowsAsync<RegistryEntryNotFoundException>(() => Registry.GetModelAsync("nope", Ct));
        Assert.Equal("There is no registered model named 'nope'.", model.Message);

        await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("x"), Ct);
        var version = await Assert.ThrowsAsync<RegistryEntryNotFoundException>(() => Registry.GetVersionAsync("m", 7, Ct));
        Assert.Equal("Model 'm' has no version 7.", version.Message);
        var alias = await Assert.ThrowsAsync<RegistryEntryNotFoundException>(() => Registry.DeleteAliasAsync("m", "champion", "t", null, Ct));
        Assert.Equal("Model 'm' has no alias 'champion'.", alias.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Registry.TransitionStageAsync("m", 1, (ModelStage)9, false, "t", null, Ct));
        Assert.Null(await Registry.GetByAliasAsync("m", "champion", Ct));
        Assert.Null(await Registry.GetByStageAsync("m", ModelStage.Production, Ct));
    }

    [Fact]
    public async Task Names_ThatLookLikeSql_AreStoredVerbatim()
    {
        const string Name = "x'); DROP TABLE versions; --";

        await Registry.RegisterVersionAsync(Name, Candidate(1), Artifact("a"), Ct);
        await Registry.SetAliasAsync(Name, "champion", 1, "t", null, Ct);

        Assert.Equal(Name, (await Registry.GetModelAsync(Name, Ct)).Name);
        Assert.Equal(1, (await Registry.GetByAliasAsync(Name, "champion", Ct))!.Version);
        Assert.Null(await Registry.GetByAliasAsync(Name, "' OR 1=1 --", Ct)); // looked up verbatim, found nothing
    }

    [Theory]
    [InlineData("bad alias/<x>")]
    [InlineData("' OR 1=1 --")]
    [InlineData("-leading-dash")]
    [InlineData("ünïcode")]
    public async Task SetAlias_NotAnIdentifier_IsRefusedNamingTheRule_AndNothingChanges(string alias)
    {
        await Registry.RegisterVersionAsync("movies", Candidate(1), Artifact("a"), Ct);
        var before = (await Registry.GetHistoryAsync("movies", Ct)).Count;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Registry.SetAliasAsync("movies", alias, 1, "t", null, Ct));

        Assert.StartsWith($"'{alias}' is not an alias name: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await Registry.GetHistoryAsync("movies", Ct)).Count);
        Assert.Empty((await Registry.GetVersionAsync("movies", 1, Ct)).Aliases);
    }

    [Fact]
    public async Task ModelAndVersionMetadata_AreUpdatedAndSearchable()
    {
        await Registry.GetOrCreateModelAsync("movies-mf", "first description", Ct);
        await Registry.GetOrCreateModelAsync("movies-als", null, Ct);
        await Registry.GetOrCreateModelAsync("books-mf", null, Ct);
        await Registry.RegisterVersionAsync("movies-mf", Candidate(0.9), Artifact("a"), Ct);

        var updated = await Registry.UpdateModelAsync("movies-mf", "rating prediction", new Dictionary<string, string> { ["team"] = "recs", ["domain"] = "movies" }, Ct);
        await Registry.UpdateModelAsync("movies-als", null, new Dictionary<string, string> { ["team"] = "search" }, Ct);
        var version = await Registry.UpdateVersionAsync("movies-mf", 1, "tuned rank", new Dictionary<string, string> { ["reviewed"] = "yes" }, Ct);

        Assert.Equal(("rating prediction", "movies"), (updated.Description, updated.Tags["domain"]));
        Assert.Equal(("tuned rank", "yes"), (version.Description, version.Tags["reviewed"]));
        Assert.Equal(0.9, version.Metrics["rmse"]); // metadata updates leave metrics and the artifact alone
        Assert.Equal(Artifact("a"), await Registry.ReadArtifactAsync("movies-mf", 1, Ct));
        Assert.Equal("rating prediction", (await Registry.UpdateModelAsync("movies-mf", null, null, Ct)).Description);

        Assert.Equal(["movies-als", "movies-mf"], (await Registry.ListModelsAsync(new ModelSearch { NameContains = "MOVIES" }, Ct)).Select(m => m.Name));
        Assert.Equal(["movies-mf"], (await Registry.ListModelsAsync(new ModelSearch { Tags = new Dictionary<string, string> { ["team"] = "recs" } }, Ct)).Select(m => m.Name));
        Assert.Equal(["movies-als"], (await Registry.ListModelsAsync(new ModelSearch { Skip = 1, Take = 1 }, Ct)).Select(m => m.Name));
        Assert.Empty(await Registry.ListModelsAsync(new ModelSearch { NameContains = "movies", Tags = new Dictionary<string, string> { ["team"] = "ads" } }, Ct));
        await Assert.ThrowsAsync<RegistryEntryNotFoundException>(() => Registry.UpdateModelAsync("nope", "x", null, Ct));
        await Assert.ThrowsAsync<RegistryEntryNotFoundException>(() => Registry.UpdateVersionAsync("movies-mf", 7, "x", null, Ct));
    }

    [Fact]
    public async Task TransitionStage_ArchiveExisting_LeavesOneInProductionAndRecordsHistory()
    {
        for (var i = 0; i < 3; i++)
        {
            await Registry.RegisterVersionAsync("m", Candidate(1 - (i * 0.01)), Artifact($"v{i}"), Ct);
        }

        await Registry.TransitionStageAsync("m", 1, ModelStage.Production, archiveExisting: true, "alice", "first", Ct);
        await Registry.TransitionStageAsync("m", 2, ModelStage.Production, archiveExisting: true, "bob", "better", Ct);

        var versions = await Registry.ListVersionsAsync("m", Ct);
        Assert.Equal([ModelStage.None, ModelStage.Production, ModelStage.Archived], versions.Select(v => v.Stage));
        Assert.Equal(2, (await Registry.GetByStageAsync("m", ModelStage.Production, Ct))!.Version);
        var history = await Registry.GetHistoryAsync("m", Ct);
        var stageChanges = history.Where(h => h.Kind == RegistryChangeKind.StageChanged).ToList();
        Assert.Equal(
            [(1, ModelStage.None, ModelStage.Production, "alice"), (1, ModelStage.Production, ModelStage.Archived, "bob"), (2, ModelStage.None, ModelStage.Production, "bob")],
            stageChanges.Select(h => (h.Version, h.FromStage!.Value, h.ToStage!.Value, h.Actor)));
        Assert.True(history.Zip(history.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
    }

    [Fact]
    public async Task TransitionStage_WithoutArchiving_ResolvesTheMostRecentlyMoved()
    {
        await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("a"), Ct);
        await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("b"), Ct);

        await Registry.TransitionStageAsync("m", 2, ModelStage.Staging, false, "t", null, Ct);
        await Registry.TransitionStageAsync("m", 1, ModelStage.Staging, false, "t", null, Ct);

        Assert.Equal(1, (await Registry.GetByStageAsync("m", ModelStage.Staging, Ct))!.Version);
        Assert.Equal(2, (await Registry.ListVersionsAsync("m", Ct)).Count(v => v.Stage == ModelStage.Staging));
    }

    [Fact]
    public async Task Aliases_SetMoveDelete_AreResolvedAndAudited()
    {
        await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("a"), Ct);
        await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("b"), Ct);

        await Registry.SetAliasAsync("m", "champion", 1, "t", null, Ct);
        var moved = await Registry.SetAliasAsync("m", "champion", 2, "t", "better", Ct);
        await Registry.SetAliasAsync("m", "challenger", 2, "t", null, Ct);

        Assert.Equal(["champion"], moved.Aliases);
        Assert.Equal(["challenger", "champion"], (await Registry.GetVersionAsync("m", 2, Ct)).Aliases.Order());
        Assert.Empty((await Registry.GetVersionAsync("m", 1, Ct)).Aliases);
        Assert.Equal(2, (await Registry.GetByAliasAsync("m", "champion", Ct))!.Version);
        await Registry.DeleteAliasAsync("m", "champion", "t", null, Ct);
        Assert.Null(await Registry.GetByAliasAsync("m", "champion", Ct));
        var aliasHistory = (await Registry.GetHistoryAsync("m", Ct)).Where(h => h.Alias == "champion").ToList();
        Assert.Equal(
            [(RegistryChangeKind.AliasSet, 1, (int?)null), (RegistryChangeKind.AliasSet, 2, 1), (RegistryChangeKind.AliasDeleted, 2, 2)],
            aliasHistory.Select(h => (h.Kind, h.Version, h.PreviousVersion)));
    }

    [Fact]
    public async Task FindModel_IsNullForAMissingModel_WhereGetThrows()
    {
        Assert.Null(await Registry.FindModelAsync("m", Ct));
        await Assert.ThrowsAsync<RegistryEntryNotFoundException>(() => Registry.GetModelAsync("m", Ct));
        await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("a"), Ct);

        var found = await Registry.FindModelAsync("m", Ct);

        Assert.Equal("m", found?.Name);
        Assert.Equal((await Registry.GetModelAsync("m", Ct)).CreatedAt, found!.CreatedAt);
    }

    [Fact]
    public async Task RollbackStage_PutsBackThePreviousProductionVersion()
    {
        await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("a"), Ct);
        await Registry.RegisterVersionAsync("m", Candidate(0.9), Artifact("b"), Ct);
        await Assert.ThrowsAsync<RegistryException>(() => Registry.RollbackStageAsync("m", ModelStage.Production, "t", null, Ct));
        await Registry.TransitionStageAsync("m", 1, ModelStage.Production, true, "t", null, Ct);
        await Registry.TransitionStageAsync("m", 2, ModelStage.Production, true, "t", null, Ct);

        var restored = await Registry.RollbackStageAsync("m", ModelStage.Production, "oncall", "v2 misbehaves", Ct);

        Assert.Equal(1, restored.Version);
        Assert.Equal(ModelStage.Production, restored.Stage);
        Assert.Equal(ModelStage.Archived, (await Registry.GetVersionAsync("m", 2, Ct)).Stage);
        var last = (await Registry.GetHistoryAsync("m", Ct))[^1];
        Assert.Equal((RegistryChangeKind.StageRolledBack, 1, "oncall", "v2 misbehaves"), (last.Kind, last.Version, last.Actor, last.Reason));
    }

    [Fact]
    public async Task RollbackAlias_RestoresThePreviousTargetOrTheDeletedAlias()
    {
        await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("a"), Ct);
        await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("b"), Ct);
        await Registry.SetAliasAsync("m", "champion", 1, "t", null, Ct);
        await Assert.ThrowsAsync<RegistryException>(() => Registry.RollbackAliasAsync("m", "champion", "t", null, Ct));
        await Registry.SetAliasAsync("m", "champion", 2, "t", null, Ct);

        Assert.Equal(1, (await Registry.RollbackAliasAsync("m", "champion", "oncall", "bad", Ct)).Version);
        Assert.Equal(1, (await Registry.GetByAliasAsync("m", "champion", Ct))!.Version);

        await Registry.DeleteAliasAsync("m", "champion", "t", null, Ct);
        Assert.Equal(1, (await Registry.RollbackAliasAsync("m", "champion", "t", "undo delete", Ct)).Version);
        Assert.Equal(RegistryChangeKind.AliasRolledBack, (await Registry.GetHistoryAsync("m", Ct))[^1].Kind);
    }

    [Fact]
    public async Task Promote_FollowsThePolicyAndRecordsTheDecision()
    {
        var policy = new PromotionPolicy { PrimaryMetric = "rmse", MinImprovement = 0.005 };
        await Registry.RegisterVersionAsync("m", Candidate(0.90), Artifact("a"), Ct);
        await Registry.RegisterVersionAsync("m", Candidate(0.898), Artifact("b"), Ct);
        await Registry.RegisterVersionAsync("m", Candidate(0.88), Artifact("c"), Ct);

        var first = await Registry.PromoteAsync("m", 1, policy, null, "flow", Ct);
        var small = await Registry.PromoteAsync("m", 2, policy, null, "flow", Ct);
        var better = await Registry.PromoteAsync("m", 3, policy, null, "flow", Ct);

        Assert.Equal([PromotionOutcome.Promote, PromotionOutcome.Stage, PromotionOutcome.Promote], new[] { first.Outcome, small.Outcome, better.Outcome });
        Assert.Equal(3, (await Registry.GetByStageAsync("m", ModelStage.Production, Ct))!.Version);
        Assert.Equal(ModelStage.Staging, (await Registry.GetVersionAsync("m", 2, Ct)).Stage);
        Assert.Contains((await Registry.GetHistoryAsync("m", Ct)), h => h.Reason is { } r && r.Contains("does not beat Production's 0.9", StringComparison.Ordinal));

        // Each decision is its own history entry (the audit's PromotionDecided filter finds them), before the move.
        var history = (await Registry.GetHistoryAsync("m", Ct)).ToList();
        var decisions = history.Where(h => h.Kind == RegistryChangeKind.PromotionDecided).ToList();
        Assert.Equal([1, 2, 3], decisions.Select(d => d.Version));
        Assert.All(decisions, d => Assert.Equal(("flow", (ModelStage?)null, (ModelStage?)null), (d.Actor, d.FromStage, d.ToStage)));
        Assert.StartsWith("Stage: ", decisions[1].Reason, StringComparison.Ordinal);
        Assert.True(history.IndexOf(decisions[2]) < history.FindIndex(h => h.Kind == RegistryChangeKind.StageChanged && h.Version == 3));

        // A decision does not count as an entry into a stage: rolling back Production still goes back to v1.
        Assert.Equal(1, (await Registry.RollbackStageAsync("m", ModelStage.Production, "oncall", null, Ct)).Version);
        await Assert.ThrowsAsync<RegistryEntryNotFoundException>(() => Registry.RecordPromotionDecisionAsync("m", 99, "flow", "Promote: x", Ct));
    }

    [Fact]
    public async Task ConcurrentPromoters_ExactlyOneEndsInProduction()
    {
        for (var i = 0; i < 16; i++)
        {
            await Registry.RegisterVersionAsync("m", Candidate(1), Artifact($"v{i}"), Ct);
        }

        await Task.WhenAll(Enumerable.Range(1, 16).Select(v => Task.Run(() => Registry.TransitionStageAsync("m", v, ModelStage.Production, true, $"promoter{v}", null, Ct), Ct)));

        var inProduction = (await Registry.ListVersionsAsync("m", Ct)).Where(v => v.Stage == ModelStage.Production).ToList();
        Assert.Single(inProduction);
        var history = await Registry.GetHistoryAsync("m", Ct);
        Assert.Equal(16, history.Count(h => h.Kind == RegistryChangeKind.StageChanged && h.ToStage == ModelStage.Production));
        Assert.Equal(inProduction[0].Version, history.Last(h => h.ToStage == ModelStage.Production).Version);
    }

    [Fact]
    public async Task ConcurrentRegistrations_GetUniqueNumbers()
    {
        var versions = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => Registry.RegisterVersionAsync("m", Candidate(1), Artifact($"v{i}"), Ct), Ct)));

        Assert.Equal(Enumerable.Range(1, 16), versions.Select(v => v.Version).Order());
    }

    [Fact]
    public async Task Watch_SeesAPromotionPromptly()
    {
        await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("a"), Ct);
        var start = (await Registry.GetHistoryAsync("m", Ct))[^1].Sequence;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));

        var watcher = Task.Run(async () =>
        {
            await foreach (var change in Registry.WatchAsync(start, timeout.Token))
            {
                return change;
            }

            return null;
        }, Ct);
        await Registry.TransitionStageAsync("m", 1, ModelStage.Production, true, "t", null, Ct);

        var seen = await watcher;
        Assert.NotNull(seen);
        Assert.Equal((RegistryChangeKind.StageChanged, ModelStage.Production), (seen.Kind, seen.ToStage!.Value));
    }
}

public sealed class InMemoryRegistryTests : RegistryConformanceTests
{
    protected override IModelRegistry CreateRegistry() => ModelRegistries.CreateInMemory();
}

public sealed class SqliteRegistryTests : RegistryConformanceTests
{
    private string? _directory;

    private string Directory => _directory ??= Path.Combine(Path.GetTempPath(), $"recsys-registry-{Guid.NewGuid():N}");

    protected override IModelRegistry CreateRegistry() => ModelRegistries.OpenSqlite(Directory);

    protected override void DisposeStore()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    [Fact]
    public async Task ReadArtifact_FileChangedOnDisk_IsRejectedNotServed()
    {
        var version = await Registry.RegisterVersionAsync("m", Candidate(1), Artifact("original"), TestContext.Current.CancellationToken);
        var file = System.IO.Directory.GetFiles(Path.Combine(Directory, "artifacts"), version.ArtifactSha256, SearchOption.AllDirectories).Single();
        await File.WriteAllTextAsync(file, "tampered", TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => Registry.ReadArtifactAsync("m", 1, TestContext.Current.CancellationToken));

        Assert.Contains("is corrupt", error.Message, StringComparison.Ordinal);
        File.Delete(file);
        await Assert.ThrowsAsync<ArtifactIntegrityException>(() => Registry.ReadArtifactAsync("m", 1, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Reopen_KeepsEverything()
    {
        await Registry.RegisterVersionAsync("m", Candidate(0.9), Artifact("a"), TestContext.Current.CancellationToken);
        await Registry.TransitionStageAsync("m", 1, ModelStage.Production, true, "t", null, TestContext.Current.CancellationToken);

        var reopened = ModelRegistries.OpenSqlite(Directory);

        Assert.Equal(1, (await reopened.GetByStageAsync("m", ModelStage.Production, TestContext.Current.CancellationToken))!.Version);
        Assert.Equal(Artifact("a"), await reopened.ReadArtifactAsync("m", 1, TestContext.Current.CancellationToken));
    }
}
