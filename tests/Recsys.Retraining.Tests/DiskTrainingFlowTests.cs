using System.Globalization;
using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.Retraining.Tests;

/// <summary>A run whose data would not fit <see cref="RetrainingOptions.MemoryBudget"/>: spooled, trained from disk, judged on held-out pairs, registered, promoted.</summary>
public sealed class DiskTrainingFlowTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("recsys-disk-flow-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Run_OverTheBudget_TrainsFromDisk_AndRegistersAModelThatServesWithoutTheHeldOutPairs()
    {
        using var workspace = Workspace.Sqlite();
        var (source, data) = WriteRatings();

        var run = await workspace.Service(source, o => Configure(o, seed: 1)).RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, run.State);
        string[] expected = ["evaluate", "load", "promote", "register", "retention", "size", "train 1: biased-mf"];
        Assert.Equal(expected, run.Steps.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Contains("more than the memory budget", run.Steps.Single(s => s.Name == "size").Detail, StringComparison.Ordinal);
        var version = Assert.Single(await workspace.Registry.ListVersionsAsync("movies", Ct));
        Assert.Equal(ModelStage.Production, version.Stage);
        Assert.InRange(version.Metrics["rmse"], 0.3, 2.0);
        var lineage = version.Lineage!;
        Assert.False(lineage.Refit);
        Assert.StartsWith("hash holdout 0.1 ", lineage.Split, StringComparison.Ordinal);
        var heldOut = lineage.Evaluation!.TestRows;
        Assert.Equal(data.Count, lineage.Rows + heldOut);
        Assert.InRange(heldOut, data.Count * 0.1 - (4 * Math.Sqrt(data.Count * 0.09)), data.Count * 0.1 + (4 * Math.Sqrt(data.Count * 0.09)));

        // The artifact is the model file of the model trained from disk: it recommends, leaving out what each user rated
        // in training, and it learned none of the held-out pairs (its training items are the data's minus them).
        var served = (await ModelFormat.Default.ReadVersionAsync(workspace.Registry, version, Ct)).Model;
        var training = Assert.IsAssignableFrom<ITrainingHistory>(served);
        var seen = Enumerable.Range(0, served.Users.Count).Sum(u => training.SeenItems(u).Length);
        Assert.Equal(lineage.Rows, seen);
        var destination = new ScoredItem[10];
        Assert.Equal(10, served.Recommend(0, destination));
        Assert.DoesNotContain(destination, s => training.SeenItems(0).Contains(s.Item));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_folder, "spool")));
    }

    [Fact]
    public async Task Run_Twice_JudgesProductionAsServed_OnTheSameHeldOutPairs()
    {
        using var workspace = Workspace.Sqlite();
        var (source, _) = WriteRatings();
        await workspace.Service(source, o => Configure(o, seed: 1)).RunAsync("manual", Ct);

        var second = await workspace.Service(source, o => Configure(o, seed: 2)).RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, second.State);
        Assert.Contains("Production v1 rmse", second.Steps.Single(s => s.Name == "evaluate").Detail, StringComparison.Ordinal);
        Assert.Contains("on held-out pairs it never learned", second.Steps.Single(s => s.Name == "evaluate").Detail, StringComparison.Ordinal);
        Assert.Contains("Production v1 (biased-mf) judged on the same holdout", second.Decision, StringComparison.Ordinal);
        Assert.Equal(2, (await workspace.Registry.ListVersionsAsync("movies", Ct)).Count);
    }

    [Fact]
    public async Task Run_EvaluateRetried_AfterProductionsArtifactFailedToOpen_ScoresTheCandidatesItTrained()
    {
        using var workspace = Workspace.Sqlite();
        var (source, _) = WriteRatings();
        await workspace.Service(source, o => Configure(o, seed: 1)).RunAsync("manual", Ct);
        var flaky = FailFirstOpen.Wrap(workspace.Registry);

        var second = await workspace.Service(source, o => Configure(o, seed: 2), registry: flaky).RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, second.State);
        var evaluate = second.Steps.Single(s => s.Name == "evaluate");
        Assert.Equal((StepState.Succeeded, 2), (evaluate.State, evaluate.Attempts));
        Assert.Matches(@"^biased-mf rmse \d\.\d{4}, mae \d\.\d{4}; Production v1 rmse", evaluate.Detail);
        Assert.Equal(2, (await workspace.Registry.ListVersionsAsync("movies", Ct)).Count);
    }

    [Fact]
    public async Task Run_OverTheBudget_WithACandidateThatCannotTrainFromDisk_FailsNamingIt()
    {
        using var workspace = Workspace.Sqlite();
        var (source, _) = WriteRatings();

        // The workspace's default candidates: biased-mf and als.
        var run = await workspace.Service(source, o => o.MemoryBudget = 100_000).RunAsync("manual", Ct);

        Assert.Equal(RunState.Failed, run.State);
        Assert.Contains("MemoryBudget", run.Error, StringComparison.Ordinal);
        Assert.Contains("als (als)", run.Error, StringComparison.Ordinal);
        Assert.Null(await workspace.Registry.FindModelAsync("movies", Ct));
    }

    [Fact]
    public async Task Run_WithinTheBudget_TrainsInMemory()
    {
        using var workspace = Workspace.Sqlite();
        var (source, _) = WriteRatings();

        var run = await workspace.Service(source, o => o.MemoryBudget = 1L << 30).RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Contains("within the memory budget", run.Steps.Single(s => s.Name == "size").Detail, StringComparison.Ordinal);
        Assert.Contains(run.Steps, s => s.Name == "split");
    }

    /// <summary>A registry whose first artifact read fails as a store outage would (an <see cref="IOException"/>); everything else goes through.</summary>
    public class FailFirstOpen : System.Reflection.DispatchProxy
    {
        private IModelRegistry _inner = null!;
        private int _opens;

        public static IModelRegistry Wrap(IModelRegistry inner)
        {
            var proxy = Create<IModelRegistry, FailFirstOpen>();
            ((FailFirstOpen)(object)proxy)._inner = inner;
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IModelRegistry.OpenArtifactAsync) && Interlocked.Increment(ref _opens) == 1)
            {
                return Task.FromException<Stream>(new IOException("The artifact store is unreachable (injected)."));
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
    }

    [Fact]
    public async Task Run_WithABudget_OnASourceThatCannotBeSpooled_SaysSoAndTrainsInMemory()
    {
        using var workspace = Workspace.Sqlite();

        var run = await workspace.Service(configure: o => o.MemoryBudget = 1000).RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Contains("small synthetic cannot be read to disk", run.Steps.Single(s => s.Name == "size").Detail, StringComparison.Ordinal);
        Assert.Contains(run.Steps, s => s.Name == "split");
    }

    private void Configure(RetrainingOptions options, ulong seed)
    {
        options.MemoryBudget = 100_000;
        options.DiskHoldoutFraction = 0.1;
        options.SpoolDirectory = Path.Combine(_folder, "spool");
        options.Candidates.Clear();
        options.Candidates.Add(new CandidateOptions { Algorithm = "biased-mf", Settings = new AlgorithmSettings { Epochs = 5, Rank = 8, Seed = seed } });
    }

    // The workspace's small data as a MovieLens ratings file, and the source of it.
    private (IInteractionSource Source, InteractionDataset Data) WriteRatings()
    {
        var data = Workspace.SmallData;
        var path = Path.Combine(_folder, "ratings.csv");
        using (var writer = new StreamWriter(path))
        {
            writer.WriteLine("userId,movieId,rating,timestamp");
            for (var r = 0; r < data.Count; r++)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{data.Users[data.RowUsers[r]]},{data.Items[data.RowItems[r]]},{data.GetValue(r)},{data.RowTimestamps[r]}"));
            }
        }

        return (InteractionSources.FromPath(path), data);
    }
}
