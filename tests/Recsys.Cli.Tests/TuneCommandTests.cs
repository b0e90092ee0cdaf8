using System.Globalization;
using System.Text.Json;
using Recsys.Tests.Shared;

namespace Recsys.Cli.Tests;

/// <summary><c>recsys tune</c> as a user runs it: the trial table, the best trial, and the test-part comparison.</summary>
public sealed class TuneCommandTests
{
    private static readonly string[] SmallData = ["--users", "150", "--items", "300", "--ratings", "6000"];

    [Fact]
    public async Task Tune_Json_ListsEveryTrial_AndTheBestIsTheLowestValidationRmse()
    {
        var (exit, output, error) = await RunAsync(["tune", "--algorithm", "knn-baseline", "--param", "Neighbors=5:80", "--param", "Shrinkage=1:300:log", "--trials", "12", "--json", .. SmallData]);

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("rmse", root.GetProperty("metric").GetString());
        var trials = root.GetProperty("trials").EnumerateArray().ToArray();
        Assert.Equal(Enumerable.Range(1, 12), trials.Select(t => t.GetProperty("trial").GetInt32()));
        Assert.All(trials, t =>
        {
            Assert.InRange(t.GetProperty("parameters").GetProperty("Neighbors").GetDouble(), 5, 80);
            Assert.InRange(t.GetProperty("parameters").GetProperty("Shrinkage").GetDouble(), 1, 300);
            Assert.InRange(t.GetProperty("metric").GetDouble(), 0.3, 2.0);
        });
        var best = trials.MinBy(t => t.GetProperty("metric").GetDouble());
        Assert.Equal(best.GetProperty("trial").GetInt32(), root.GetProperty("best_trial").GetInt32());
        Assert.InRange(root.GetProperty("test_tuned").GetDouble(), 0.3, 2.0);
        Assert.InRange(root.GetProperty("test_default").GetDouble(), 0.3, 2.0);
    }

    [Fact]
    public async Task Tune_Table_MarksTheBestTrial()
    {
        var (exit, output, error) = await RunAsync(["tune", "--algorithm", "ease", "--param", "Regularization=10,100,1000", "--strategy", "grid", .. SmallData]);

        Assert.True(exit == 0, error);
        var rows = output.Split('\n').Where(l => l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0])).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Single(rows, r => r.EndsWith(" *", StringComparison.Ordinal));
        Assert.Contains("search      ease: 3 of 3 planned trials, ranked by ndcg_at_k (higher is better)", output, StringComparison.Ordinal);
        Assert.Matches(@"test part   ndcg_at_k: tuned \d\.\d{4}, default settings \d\.\d{4}", output);
    }

    [Theory]
    [InlineData("Neighbors=10,20", "'Neighbors' cannot be searched for ease; it can vary Regularization.")]
    [InlineData("Regularization=0:10:log", "'Regularization' is searched on a log scale, so Min must be positive (it is 0).")]
    [InlineData("Regularization", "--param 'Regularization' is not Name=MIN:MAX[:log] or Name=V1,V2,….")]
    [InlineData("Regularization=1:x", "--param Regularization: 'x' is not a number.")]
    public async Task Tune_BadParameter_IsAUsageErrorNamingIt(string parameter, string message)
    {
        var (exit, _, error) = await RunAsync(["tune", "--algorithm", "ease", "--param", parameter, .. SmallData]);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private static Task<(int Exit, string Output, string Error)> RunAsync(string[] arguments) =>
        DotnetProcess.RunAsync(RecsysCli.Find(), arguments, TestContext.Current.CancellationToken);
}
