using System.Text.Json;
using Recsys.Tests.Shared;

namespace Recsys.Cli.Tests;

/// <summary>
/// <c>recsys evaluate --repeat</c>: the seed spread of a randomized model, run as a user runs it (a child process on
/// small synthetic data).
/// </summary>
public sealed class EvaluateCommandTests
{
    private static readonly string[] SmallData = ["--users", "150", "--items", "300", "--ratings", "6000"];

    [Fact]
    public async Task Repeat_ReportsEverySeedTheirMeanAndTheirStandardDeviation()
    {
        var (exit, output, error) = await RunAsync(["evaluate", "--algorithm", "truncated-svd", "--rank", "8", "--repeat", "3", "--model-seed", "5", "--json", .. SmallData]);

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var runs = root.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal([5UL, 6UL, 7UL], runs.Select(r => r.GetProperty("seed").GetUInt64()));
        var ndcg = runs.Select(r => r.GetProperty("ndcg_at_k").GetDouble()).ToArray();
        Assert.True(ndcg.Distinct().Count() > 1, $"the seeds gave the same model: {string.Join(", ", ndcg)}");
        var mean = ndcg.Average();
        Assert.Equal(mean, root.GetProperty("ndcg_at_k").GetDouble(), 12);
        Assert.Equal(Math.Sqrt(ndcg.Sum(x => (x - mean) * (x - mean)) / 2), root.GetProperty("sd").GetProperty("ndcg_at_k").GetDouble(), 12);

        // Every run ranked the same users on the same test set: the counts are one run's, not three.
        Assert.Equal(runs[0].GetProperty("rating_count").GetInt32(), root.GetProperty("rating_count").GetInt32());
        Assert.Equal(root.GetProperty("test_interactions").GetInt32(), root.GetProperty("rating_count").GetInt32());
    }

    [Fact]
    public async Task Repeat_EachRunEqualsASingleEvaluationWithItsSeed()
    {
        var (_, repeated, _) = await RunAsync(["evaluate", "--algorithm", "truncated-svd", "--rank", "8", "--repeat", "2", "--model-seed", "9", "--json", .. SmallData]);
        var (exit, single, error) = await RunAsync(["evaluate", "--algorithm", "truncated-svd", "--rank", "8", "--model-seed", "10", "--json", .. SmallData]);

        Assert.True(exit == 0, error);
        using var runs = JsonDocument.Parse(repeated);
        using var one = JsonDocument.Parse(single);
        var second = runs.RootElement.GetProperty("runs")[1];
        Assert.Equal(10UL, second.GetProperty("seed").GetUInt64());
        foreach (var metric in new[] { "rmse", "ndcg_at_k", "precision_at_k", "coverage" })
        {
            Assert.Equal(one.RootElement.GetProperty(metric).GetDouble(), second.GetProperty(metric).GetDouble());
        }

        Assert.False(one.RootElement.TryGetProperty("sd", out _));
    }

    [Fact]
    public async Task Repeat_BelowOne_IsAUsageErrorThatNamesTheOption()
    {
        var (exit, _, error) = await RunAsync(["evaluate", "--repeat", "0"]);

        Assert.Equal(2, exit);
        Assert.Contains("--repeat must be at least 1, not 0.", error, StringComparison.Ordinal);
    }

    /// <summary>Every algorithm <c>recsys algorithms</c> lists (<see cref="WarmUpFit_CoversTheAlgorithmsTheCliLists"/> keeps it so).</summary>
    private static readonly string[] AlgorithmNames =
    [
        "als", "als-implicit", "baseline", "biased-mf", "blend", "ease", "global-mean", "hybrid", "item-knn", "knn-baseline",
        "nmf", "nmf-masked", "nmf-mu", "popularity", "popularity-positive", "svdpp", "truncated-svd", "truncated-svd-centered",
    ];

    public static TheoryData<string> Algorithms() => [.. AlgorithmNames];

    /// <summary>
    /// The CLI fits the same algorithm on a small synthetic set while it reads the data (FitWarmUp: the fit's code is
    /// compiled on the idle core); a set some algorithm refused would leave that algorithm's first fit cold, said on
    /// standard error. Every algorithm at its defaults must take it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task WarmUpFit_IsTakenByEveryAlgorithm(string algorithm)
    {
        var (exit, output, error) = await RunAsync(["evaluate", "--algorithm", algorithm, "--json", .. SmallData]);

        Assert.True(exit == 0, error);
        Assert.DoesNotContain("warming up", error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(algorithm, json.RootElement.GetProperty("algorithm").GetString());
    }

    [Fact]
    public async Task WarmUpFit_CoversTheAlgorithmsTheCliLists()
    {
        var (exit, output, error) = await RunAsync(["algorithms"]);

        Assert.True(exit == 0, error);
        var listed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(static line => line.Split(' ')[0]).Order(StringComparer.Ordinal);
        Assert.Equal(listed, AlgorithmNames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WarmUpFit_AtTheLargestRankItCovers_IsTaken()
    {
        var (exit, _, error) = await RunAsync(["evaluate", "--algorithm", "truncated-svd", "--rank", "256", "--json", "--users", "600", "--items", "900", "--ratings", "40000"]);

        Assert.True(exit == 0, error);
        Assert.DoesNotContain("warming up", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FoldInProtocol_ReportsPopularityFoldInAndRetrainedOnTheSameHeldOutUsers()
    {
        var (exit, output, error) = await RunAsync(["evaluate", "--protocol", "fold-in", "--hold-out", "40", "--algorithm", "ease", "--json", .. SmallData]);

        Assert.True(exit == 0, error);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.Equal(("fold-in", "ease", 40), (result.GetProperty("protocol").GetString(), result.GetProperty("algorithm").GetString(), result.GetProperty("held_out_users").GetInt32()));
        Assert.InRange(result.GetProperty("evaluated_users").GetInt32(), 1, 40);
        Assert.True(result.GetProperty("folded_in_users").GetInt32() > 0);
        foreach (var name in new[] { "ndcg_popularity", "ndcg_fold_in", "ndcg_retrained" })
        {
            Assert.InRange(result.GetProperty(name).GetDouble(), 0, 1);
        }

        Assert.NotEqual(result.GetProperty("ndcg_popularity").GetDouble(), result.GetProperty("ndcg_fold_in").GetDouble());
    }

    [Theory]
    [InlineData("--protocol", "streaming", "--protocol must be holdout or fold-in, not 'streaming'.")]
    [InlineData("--hold-out", "0", "--hold-out must be at least 1, not 0.")]
    [InlineData("--hold-out", "5000", "users have at least 10 interactions; 5000 are to be held out. Use a smaller --hold-out.")]
    public async Task FoldInProtocol_BadSettings_OneLineNamingThem(string option, string value, string message)
    {
        string[] protocol = option == "--protocol" ? [] : ["--protocol", "fold-in"];
        var (exit, _, error) = await RunAsync(["evaluate", .. protocol, option, value, .. SmallData]);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private static Task<(int Exit, string Output, string Error)> RunAsync(string[] arguments) =>
        DotnetProcess.RunAsync(RecsysCli.Find(), arguments, TestContext.Current.CancellationToken);
}
