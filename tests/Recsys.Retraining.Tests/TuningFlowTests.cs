using System.Text.Json;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;
using Recsys.Tuning;

namespace Recsys.Retraining.Tests;

public sealed class TuningFlowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_CandidateWithASearch_RecordsEveryTrial_TrainsAndRegistersTheBestSettings()
    {
        using var workspace = Workspace.Sqlite();
        var space = new SearchSpace { MaxTrials = 20, Seed = 7 };
        space.Parameters["Regularization"] = ParameterRange.Between(0.5, 200, log: true);
        space.Parameters["Epochs"] = ParameterRange.Of(2, 10);
        var service = workspace.Service(configure: o =>
        {
            o.Candidates.Clear();
            o.Candidates.Add(new CandidateOptions { Algorithm = "baseline", Search = space });
        });

        var run = await service.RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, run.State);
        var trials = run.Steps.Where(s => s.Name.StartsWith("tune 1: baseline trial ", StringComparison.Ordinal)).ToList();
        Assert.Equal(20, trials.Count);
        Assert.All(trials, t =>
        {
            Assert.Equal(StepState.Succeeded, t.State);
            Assert.Matches(@"^Epochs=(2|10), Regularization=[0-9.]+: validation rmse 0\.\d{4}$", t.Detail);
            Assert.NotNull(t.FinishedAt);
        });

        // The search step names the best trial; that trial has the lowest validation RMSE of all.
        var search = Assert.Single(run.Steps, s => s.Name == "tune 1: baseline");
        var details = trials.Select(t => t.Detail!).ToList();
        var best = details.MinBy(d => double.Parse(d[(d.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))!;
        var bestParameters = best[..best.IndexOf(':', StringComparison.Ordinal)];
        Assert.Contains(bestParameters, search.Detail, StringComparison.Ordinal);

        // The registered version records the chosen settings (so a later run retrains Production's recipe with them).
        var version = Assert.Single(await workspace.Registry.ListVersionsAsync("movies", Ct));
        var parameters = JsonSerializer.Deserialize<JsonElement>(version.Parameters!);
        var regularization = bestParameters.Split(", ")[1].Split('=')[1];
        Assert.Equal(double.Parse(regularization, System.Globalization.CultureInfo.InvariantCulture), parameters.GetProperty("regularization").GetDouble(), 4);
        Assert.Equal(int.Parse(bestParameters.Split(", ")[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture), parameters.GetProperty("epochs").GetInt32());
    }

    [Fact]
    public async Task Run_EveryTrialFails_TheRunFailsNamingTheTrialsError_AndEachTrialIsAFailedStep()
    {
        using var workspace = Workspace.Sqlite();
        var space = new SearchSpace { MaxTrials = 3 };
        space.Parameters["Epochs"] = ParameterRange.Of(0, 2000, 5000); // outside baseline's 1 … 1000
        var service = workspace.Service(configure: o =>
        {
            o.Candidates.Clear();
            o.Candidates.Add(new CandidateOptions { Algorithm = "baseline", Search = space });
        });

        var run = await service.RunAsync("manual", Ct);

        Assert.Equal(RunState.Failed, run.State);
        Assert.Contains("All 3 trials of baseline failed; the first:", run.Error, StringComparison.Ordinal);
        Assert.Contains("Epochs", run.Error, StringComparison.Ordinal);
        var trials = run.Steps.Where(s => s.Name.StartsWith("tune 1: baseline trial ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, trials.Count);
        Assert.All(trials, t => Assert.Equal(StepState.Failed, t.State));
    }

    [Fact]
    public void Options_SearchOfAParameterTheAlgorithmIgnores_FailsValidationNamingIt()
    {
        var options = new RetrainingOptions();
        var space = new SearchSpace();
        space.Parameters["Neighbors"] = ParameterRange.Of(10, 20);
        options.Candidates.Add(new CandidateOptions { Algorithm = "ease", Search = space });

        var problems = ((System.ComponentModel.DataAnnotations.IValidatableObject)options).Validate(new(options)).ToList();

        var problem = Assert.Single(problems);
        Assert.Equal("Retraining:Candidates:0:Search: 'Neighbors' cannot be searched for ease; it can vary Regularization. (Parameter 'space')", problem.ErrorMessage);
    }

    [Fact]
    public void Plan_Grid_IsTheCartesianProduct_AndACappedGridSpansItEvenly()
    {
        var space = new SearchSpace { Strategy = SearchStrategy.Grid, MaxTrials = 100 };
        space.Parameters["Rank"] = ParameterRange.Of(8, 16, 32);
        space.Parameters["Regularization"] = new ParameterRange { Min = 0.01, Max = 1, Log = true, GridPoints = 3 };
        var full = new HyperParameterSearch("biased-mf", null, space).Plan;

        Assert.Equal(9, full.Count);
        Assert.Equal([8, 8, 8, 16, 16, 16, 32, 32, 32], full.Select(p => p["Rank"]));
        Assert.Equal([0.01, 0.1, 1], full.Take(3).Select(p => Math.Round(p["Regularization"], 10)));

        space.MaxTrials = 3;
        var capped = new HyperParameterSearch("biased-mf", null, space).Plan;
        Assert.Equal([(8.0, 0.01), (16.0, 0.1), (32.0, 1.0)], capped.Select(p => (p["Rank"], Math.Round(p["Regularization"], 10))));
    }

    [Fact]
    public void Plan_Random_DrawsDistinctPointsInsideTheRanges_IntegersRounded()
    {
        var space = new SearchSpace { MaxTrials = 30, Seed = 3 };
        space.Parameters["Neighbors"] = ParameterRange.Between(5, 200);
        space.Parameters["Shrinkage"] = ParameterRange.Between(1, 1000, log: true);
        var plan = new HyperParameterSearch("knn-baseline", null, space).Plan;

        Assert.Equal(30, plan.Count);
        Assert.Equal(30, plan.Select(p => (p["Neighbors"], p["Shrinkage"])).Distinct().Count());
        Assert.All(plan, p =>
        {
            Assert.InRange(p["Neighbors"], 5, 200);
            Assert.Equal(Math.Round(p["Neighbors"]), p["Neighbors"]);
            Assert.InRange(p["Shrinkage"], 1, 1000);
        });

        // Log-uniform: about half the draws below the geometric middle (√1000 ≈ 31.6), not 3 %.
        Assert.InRange(plan.Count(p => p["Shrinkage"] < Math.Sqrt(1000)), 8, 22);

        // Only two distinct points exist: two trials are planned, not thirty copies.
        var small = new SearchSpace { MaxTrials = 30 };
        small.Parameters["Neighbors"] = ParameterRange.Of(10, 20);
        Assert.Equal(2, new HyperParameterSearch("knn-baseline", null, small).Plan.Count);
    }
}
