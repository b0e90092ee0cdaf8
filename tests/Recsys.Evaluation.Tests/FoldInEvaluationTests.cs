using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Neighborhood;

namespace Recsys.Evaluation.Tests;

/// <summary>The fold-in protocol: held-out users' newer halves scored for popularity, fold-in and a retrain.</summary>
public sealed class FoldInEvaluationTests
{
    [Fact]
    public void Evaluate_MovieLensWithEase_FoldInNearTheRetrainAndAbovePopularity()
    {
        var data = MovieLens.ReadRatings(MovieLensData.File("ratings.csv")).Dataset;

        var result = FoldInEvaluation.Evaluate(new EaseTrainer(), data, new FoldInOptions());

        Assert.Equal(100, result.HeldOutUsers);
        Assert.InRange(result.EvaluatedUsers, 90, 100);
        Assert.InRange(result.FoldedInUsers, result.EvaluatedUsers - 2, result.EvaluatedUsers); // a user whose posted half has no positive is not folded in
        Assert.True(result.FoldInNdcg >= 0.9 * result.RetrainedNdcg, $"fold-in {result.FoldInNdcg:F4} < 90 % of retrained {result.RetrainedNdcg:F4}");
        Assert.True(result.FoldInNdcg > 1.2 * result.PopularityNdcg, $"fold-in {result.FoldInNdcg:F4} vs popularity {result.PopularityNdcg:F4}");
    }

    [Fact]
    public void Evaluate_SameSeed_SameNumbers_AndOtherSeedOtherUsers()
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 200, Items = 150, Interactions = 10_000, Seed = 4 }).GenerateDataset();
        var trainer = RecommenderAlgorithms.Create("truncated-svd", new AlgorithmSettings { Rank = 8 });

        var first = FoldInEvaluation.Evaluate(trainer, data, new FoldInOptions { Users = 30 });
        var again = FoldInEvaluation.Evaluate(trainer, data, new FoldInOptions { Users = 30 });
        var other = FoldInEvaluation.Evaluate(trainer, data, new FoldInOptions { Users = 30, Seed = 7 });

        Assert.Equal(first with { FoldInMicroseconds = 0 }, again with { FoldInMicroseconds = 0 });
        Assert.NotEqual(first.FoldInNdcg, other.FoldInNdcg);
        Assert.Equal(first.EvaluatedUsers, first.FoldedInUsers);
    }

    [Fact]
    public void Evaluate_MoreUsersThanTheDataHas_NamesTheProblem()
    {
        var data = TestDatasets.Synthetic(3, 20, 30, 12);

        var error = Assert.Throws<ArgumentException>(() => FoldInEvaluation.Evaluate(new EaseTrainer(), data, new FoldInOptions { Users = 500 }));

        Assert.StartsWith($"Only {Enumerable.Range(0, data.Users.Count).Count(u => data.UserOffsets[u + 1] - data.UserOffsets[u] >= 10)} users have at least 10 interactions; 500 are to be held out.", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FoldInOptions { Users = 0 }.Validate());
    }
}
