using System.Diagnostics;
using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.Retraining.Tests;

/// <summary>The flow's faults, for real: failing steps, throwing trainers, cancellation, concurrent workers.</summary>
public sealed class RetrainingFlowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Options_CandidateSettingsTheTrainerRefuses_FailValidationBeforeAnyRun()
    {
        var options = new RetrainingOptions();
        options.Candidates.Add(new CandidateOptions { Algorithm = "ease" });
        options.Candidates.Add(new CandidateOptions { Algorithm = "als", Settings = new AlgorithmSettings { Rank = 0 } });

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage).ToList();

        var error = Assert.Single(errors);
        Assert.StartsWith("Retraining:Candidates:1:Settings: ", error, StringComparison.Ordinal);
        Assert.Contains("Rank must be between 1 and 512", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TrainsEveryCandidate_RegistersWithMetricsAndLineage_AndPromotesTheBest()
    {
        using var workspace = Workspace.Sqlite();

        var run = await workspace.Service().RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, run.State);
        string[] expected = ["evaluate", "load", "promote", "refit 1: biased-mf", "refit 2: als", "register", "retention", "split", "train 1: biased-mf", "train 2: als"];
        Assert.Equal(expected, run.Steps.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(run.Steps, s => Assert.Equal((StepState.Succeeded, 1), (s.State, s.Attempts)));
        var versions = await workspace.Registry.ListVersionsAsync("movies", Ct);
        Assert.Equal(2, versions.Count);
        Assert.All(versions, v =>
        {
            Assert.Equal(ModelVersionStatus.Ready, v.Status);
            Assert.Equal(run.Id, v.Tags["run_id"]);
            Assert.InRange(v.Metrics["rmse"], 0.3, 2.0);
            // Evaluated on the holdout, then refit on all the data: the lineage records both.
            Assert.Equal(Workspace.SmallData.Count, v.Lineage!.Evaluation!.TrainRows + v.Metrics["test_size"], 0);
            Assert.Equal(Workspace.SmallData.Count, v.Lineage.Rows);
            Assert.True(v.Lineage.Refit);
            Assert.Equal(Workspace.SmallData.ComputeFingerprint(), v.Lineage.DataFingerprint);
            Assert.NotEqual(v.Lineage.DataFingerprint, v.Lineage.Evaluation.TrainFingerprint);
            Assert.Equal(Workspace.SmallData.Users.Count, v.Lineage.Users);
            Assert.Equal("rating-prediction", v.Tags["purpose"]);
        });
        var production = await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct);
        Assert.Equal(versions.MinBy(v => v.Metrics["rmse"])!.Version, production!.Version);
        Assert.StartsWith($"v{production.Version} ", run.Decision, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CandidatesOfBothKinds_PromotesOnlyOnComparableMetrics_AndRecordsWhoWasSkipped()
    {
        using var workspace = Workspace.Sqlite();
        void Candidates(RetrainingOptions o, string metric)
        {
            // Seeds differ by metric, so the second run's candidates are new recipes (not "unchanged" versions).
            var seed = metric == "rmse" ? 2UL : 1UL;
            o.Promotion.PrimaryMetric = metric;
            o.Candidates.Clear();
            o.Candidates.Add(new CandidateOptions { Algorithm = "als-implicit", Settings = new AlgorithmSettings { Epochs = 3, Rank = 8, Seed = seed } });
            o.Candidates.Add(new CandidateOptions { Algorithm = "biased-mf", Settings = new AlgorithmSettings { Epochs = 5, Rank = 8, Seed = seed } });
            o.Candidates.Add(new CandidateOptions { Algorithm = "svdpp", Settings = new AlgorithmSettings { Epochs = 2, Rank = 8, Seed = seed } });
        }

        var ranking = await workspace.Service(configure: o => Candidates(o, "ndcg_at_k")).RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, ranking.State);
        var production = await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct);
        Assert.Equal("als-implicit", production!.Trainer);
        Assert.Contains("(als-implicit) compared: ndcg_at_k", ranking.Decision, StringComparison.Ordinal);
        Assert.Contains("(biased-mf) skipped: ndcg_at_k is not meaningful for a rating-prediction model", ranking.Decision, StringComparison.Ordinal);
        Assert.Contains("(svdpp) skipped: ndcg_at_k is not meaningful for a rating-prediction model", ranking.Decision, StringComparison.Ordinal);
        Assert.DoesNotContain("rmse", production.Metrics.Keys); // an implicit top-N model has no meaningful RMSE
        Assert.Equal("ranking", production.Tags["purpose"]);

        // The same candidates promoted on RMSE: only the rating models are compared, and the top-N Production stays.
        var rating = await workspace.Service(configure: o => Candidates(o, "rmse")).RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, rating.State);
        Assert.Equal(production.Version, (await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct))!.Version);
        Assert.Contains("(als-implicit) skipped: rmse is not meaningful for a ranking model", rating.Decision, StringComparison.Ordinal);
        Assert.Contains("(biased-mf) compared: rmse", rating.Decision, StringComparison.Ordinal);
        Assert.Contains($"Production v{production.Version} (als-implicit) not comparable", rating.Decision, StringComparison.Ordinal);
        var staged = Assert.Single(await workspace.Registry.ListVersionsAsync("movies", Ct), v => v.Stage == ModelStage.Staging);
        Assert.Contains(staged.Trainer, new[] { "biased-mf", "svdpp" });
    }

    [Fact]
    public async Task Run_AfterARefitProduction_RetrainsProductionsRecipeOnTheSameSplit_SoAnEqualCandidateDoesNotWin()
    {
        using var workspace = Workspace.Sqlite();
        void OnlyAls(RetrainingOptions o)
        {
            o.Candidates.Clear();
            o.Candidates.Add(new CandidateOptions { Algorithm = "als", Settings = new AlgorithmSettings { Epochs = 3, Rank = 8, Seed = 4 } });
        }

        var first = await workspace.Service(configure: OnlyAls).RunAsync("manual", Ct);
        var second = await workspace.Service(configure: OnlyAls).RunAsync("manual", Ct);

        Assert.Equal((RunState.Succeeded, RunState.Succeeded), (first.State, second.State));
        var evaluate = second.Steps.Single(s => s.Name == "evaluate").Detail!;
        Assert.Contains("(its trainer and parameters retrained on this split)", evaluate, StringComparison.Ordinal);

        // The same recipe on the same split measures the same: the refit Production (which saw the test part) is
        // not judged on data it learned; the identical candidate is not registered again and nothing changes.
        var scores = evaluate.Split("; ");
        Assert.Equal(scores[0]["als ".Length..], scores[1][(scores[1].IndexOf("rmse", StringComparison.Ordinal))..scores[1].IndexOf(" (", StringComparison.Ordinal)]);
        Assert.Equal("no promotion: als unchanged: v1 already has its recipe trained on this data, so no version was registered", second.Decision);
        Assert.Single(await workspace.Registry.ListVersionsAsync("movies", Ct));
    }

    [Fact]
    public async Task Run_CandidatesForSeveralModels_EachIsRegisteredAndPromotedAgainstItsOwnProduction()
    {
        using var workspace = Workspace.Sqlite();
        void Models(RetrainingOptions o, ulong seed)
        {
            o.Promotion.PrimaryMetric = "ndcg_at_k";
            o.Promotion.MinImprovement = -1; // any comparable candidate replaces its model's Production
            o.Candidates.Clear();
            o.Candidates.Add(new CandidateOptions { Algorithm = "als-implicit", Settings = new AlgorithmSettings { Epochs = 2, Rank = 8, Seed = seed } });
            o.Candidates.Add(new CandidateOptions { Algorithm = "popularity", ModelName = "pop", Settings = new AlgorithmSettings { Seed = seed } });
            o.Candidates.Add(new CandidateOptions { Algorithm = "truncated-svd", ModelName = "svd", Settings = new AlgorithmSettings { Rank = 8, Seed = seed } });
        }

        // Other seeds the second time: new recipes for the models that read a seed, so they get a second version.
        // Popularity reads no setting: its recipe is unchanged on unchanged data, and it is not registered again.
        var first = await workspace.Service(configure: o => Models(o, 1)).RunAsync("manual", Ct);
        var second = await workspace.Service(configure: o => Models(o, 2)).RunAsync("manual", Ct);

        Assert.Equal((RunState.Succeeded, RunState.Succeeded), (first.State, second.State));
        Assert.Equal(1, (await workspace.Registry.ListVersionsAsync("pop", Ct)).Single().Version);
        Assert.Contains("pop: no promotion: popularity unchanged", second.Decision, StringComparison.Ordinal);
        foreach (var (model, trainer) in new[] { ("movies", "als-implicit"), ("svd", "truncated-svd") })
        {
            var versions = await workspace.Registry.ListVersionsAsync(model, Ct);
            Assert.Equal(2, versions.Count);
            Assert.All(versions, v => Assert.Equal(trainer, v.Trainer));
            Assert.Equal(2, (await workspace.Registry.GetByStageAsync(model, ModelStage.Production, Ct))!.Version);
            Assert.Contains($"{model}: v2 ({trainer}): Promote", second.Decision, StringComparison.Ordinal);
        }

        Assert.Contains(second.Steps, s => s.Name == "train 3: truncated-svd (svd)");
    }

    [Fact]
    public async Task Step_FailingTwiceThenSucceeding_RunSucceedsWithThreeAttemptsRecorded()
    {
        using var workspace = Workspace.Sqlite();
        var calls = 0;
        var flaky = InteractionSources.FromDelegate("flaky", _ => ++calls <= 2 ? throw new IOException($"transient failure {calls}") : Task.FromResult(Workspace.SmallData));

        var run = await workspace.Service(flaky).RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, run.State);
        var load = run.Steps.Single(s => s.Name == "load");
        Assert.Equal((StepState.Succeeded, 3), (load.State, load.Attempts));
        Assert.Equal(3, calls);
        Assert.Equal(run, await workspace.Runs.GetRunAsync(run.Id, Ct), RunComparer.Instance);
    }

    [Fact]
    public async Task Trainer_Throwing_FailsTheRun_AndLeavesProductionAlone()
    {
        using var workspace = Workspace.Sqlite();
        var first = await workspace.Service().RunAsync("manual", Ct);
        var production = await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct);

        var run = await workspace.Service(configure: o =>
        {
            o.Candidates.Add(new CandidateOptions { Algorithm = "broken", Trainer = () => new ScriptedTrainer(epoch => throw new InvalidDataException($"diverged at epoch {epoch}")) });
        }).RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, first.State);
        Assert.Equal(RunState.Failed, run.State);
        Assert.Contains("diverged at epoch 1", run.Error, StringComparison.Ordinal);
        Assert.Equal(StepState.Failed, run.Steps.Single(s => s.Name == "train 3: broken").State);
        Assert.DoesNotContain(run.Steps, s => s.Name == "register");
        Assert.Equal(production!.Version, (await workspace.Registry.GetByStageAsync("movies", ModelStage.Production, Ct))!.Version);
        Assert.Equal(2, (await workspace.Registry.ListVersionsAsync("movies", Ct)).Count); // nothing registered by the failed run
    }

    [Fact]
    public async Task Cancellation_DuringTraining_CancelsTheRunWithinOneEpoch()
    {
        using var workspace = Workspace.Sqlite();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var epochsAfterCancel = 0;
        var cancelledAt = 0;
        var trainer = new ScriptedTrainer(epoch =>
        {
            if (cancel.IsCancellationRequested)
            {
                Interlocked.Increment(ref epochsAfterCancel);
            }

            if (epoch == 3)
            {
                cancelledAt = epoch;
                cancel.Cancel();
            }
        });

        var run = await workspace.Service(configure: o =>
        {
            o.Candidates.Clear();
            o.Candidates.Add(new CandidateOptions { Algorithm = "slow", Trainer = () => trainer });
        }).RunAsync("manual", cancel.Token);

        Assert.Equal(RunState.Cancelled, run.State);
        Assert.Equal(3, cancelledAt);
        Assert.Equal(0, epochsAfterCancel); // the trainer stopped at the next epoch boundary
        Assert.Equal(StepState.Cancelled, run.Steps.Single(s => s.Name == "train 1: slow").State);
        await Assert.ThrowsAsync<RegistryEntryNotFoundException>(() => workspace.Registry.GetModelAsync("movies", Ct)); // nothing was registered
    }

    [Fact]
    public async Task RealTrainer_Cancelled_StopsWithinAnEpoch()
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 3_000, Items = 3_000, Interactions = 300_000 }).GenerateDataset(Ct);
        using var cancel = new CancellationTokenSource();
        var epochs = new List<(int Epoch, long Ticks)>();
        var progress = new SynchronousProgress(p =>
        {
            epochs.Add((p.Epoch, Stopwatch.GetTimestamp()));
            if (p.Epoch == 2)
            {
                cancel.Cancel();
            }
        });

        Assert.ThrowsAny<OperationCanceledException>(() => RecommenderAlgorithms.Create("biased-mf", new AlgorithmSettings { Epochs = 100 }).Fit(data, progress, cancel.Token));
        Assert.Equal([1, 2], epochs.Select(e => e.Epoch));
    }

    [Fact]
    public async Task TwoWorkers_OnOnePostgreSqlRegistry_TriggeredAtOnce_ExactlyOneTrains()
    {
        using var workspace = Workspace.Postgres();
        using var other = new OtherWorker(workspace.Location);
        var trained = 0;
        // The run that trains holds its lock until the other attempt has been refused: the two overlap by
        // construction, not by a sleep. (Were both to train, the second would wait out the hang guard and fail below.)
        var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CandidateOptions Counting() => new()
        {
            Algorithm = "counted",
            Trainer = () => new ScriptedTrainer(epoch =>
            {
                if (epoch == 1)
                {
                    Interlocked.Increment(ref trained);
                    refused.Task.Wait(TimeSpan.FromMinutes(2), Ct);
                }
            }, epochs: 10),
        };
        // Refit off: one fit per run, so the count says how many runs trained.
        var a = workspace.Service(configure: o => { o.Candidates.Clear(); o.Candidates.Add(Counting()); o.Refit = false; });
        var b = workspace.Service(configure: o => { o.Candidates.Clear(); o.Candidates.Add(Counting()); o.Refit = false; }, runs: other.Runs, registry: other.Registry);

        var results = await Task.WhenAll(Attempt(a, refused), Attempt(b, refused));

        Assert.Equal(1, trained);
        Assert.Single(results, r => r == "ran");
        Assert.Single(results, r => r == "refused");
        Assert.Single(await workspace.Runs.ListRunsAsync("movies", 10, Ct));

        static async Task<string> Attempt(RetrainingService service, TaskCompletionSource refused)
        {
            try
            {
                return (await service.RunAsync("api", Ct)).State == RunState.Succeeded ? "ran" : "failed";
            }
            catch (RunInProgressException)
            {
                refused.TrySetResult();
                return "refused";
            }
        }
    }

    [Fact]
    public async Task RunLock_OnSqlite_RefusesASecondRunWhileOneIsLive()
    {
        using var workspace = Workspace.Sqlite();
        await using var held = await workspace.Runs.TryLockModelAsync("movies", "first", Ct);

        Assert.NotNull(held);
        await using var otherWorker = SqliteBackend.Open(workspace.Location);
        Assert.Null(await otherWorker.Runs.TryLockModelAsync("movies", "second", Ct));
        await Assert.ThrowsAsync<RunInProgressException>(() => workspace.Service().RunAsync("manual", Ct));
    }

    /// <summary>A second worker's connections: its own registry and run store on the same database.</summary>
    private sealed class OtherWorker(string location) : IDisposable
    {
        private readonly IRecsysBackend _backend = PostgreSqlBackend.Open(location);

        public IModelRegistry Registry => _backend.Registry;

        public IRunStore Runs => _backend.Runs;

        public void Dispose() => _backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private sealed class RunComparer : IEqualityComparer<RetrainingRun?>
    {
        public static readonly RunComparer Instance = new();

        public bool Equals(RetrainingRun? x, RetrainingRun? y) =>
            x is not null && y is not null && x.Id == y.Id && x.State == y.State && x.Steps.Select(s => (s.Name, s.State, s.Attempts)).SequenceEqual(y.Steps.Select(s => (s.Name, s.State, s.Attempts)));

        public int GetHashCode(RetrainingRun? obj) => obj?.Id.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
