using Recsys.Baselines;
using Recsys.Data;
using Recsys.Evaluation;

namespace Recsys.Evaluation.Tests;

public sealed class EvaluatorTests
{
    [Fact]
    public void Evaluate_GlobalMean_ErrorsMatchHandComputation()
    {
        var train = TestDatasets.From(("a", "x", 4, 1), ("b", "y", 2, 1)); // μ = 3
        var test = TestDatasets.From(("a", "y", 5, 2), ("b", "x", 1, 2), ("new", "x", 3, 2), ("a", "newitem", 4, 2));
        var model = new GlobalMeanTrainer().Fit(train);

        var result = Evaluator.Evaluate(model, test);

        // Errors: 2, -2, 0, 1.
        Assert.Equal(Math.Sqrt((4 + 4 + 0 + 1) / 4.0), result.Rmse, 10);
        Assert.Equal((2 + 2 + 0 + 1) / 4.0, result.Mae, 10);
        Assert.Equal(4, result.RatingCount);
        Assert.Equal(1, result.UnknownUserRatings);
        Assert.Equal(1, result.UnknownItemRatings);
    }

    [Fact]
    public void EvaluateRatings_GivesEvaluatesErrors_AndNoRankingMetrics()
    {
        var train = TestDatasets.From(("a", "x", 4, 1), ("b", "y", 2, 1));
        var test = TestDatasets.From(("a", "y", 5, 2), ("b", "x", 1, 2), ("new", "x", 3, 2), ("a", "newitem", 4, 2));
        var model = new GlobalMeanTrainer().Fit(train);

        var full = Evaluator.Evaluate(model, test);
        var ratings = Evaluator.EvaluateRatings(model, test);

        Assert.Equal(full.Rmse, ratings.Rmse);
        Assert.Equal(full.Mae, ratings.Mae);
        Assert.Equal((4, 1, 1), (ratings.RatingCount, ratings.UnknownUserRatings, ratings.UnknownItemRatings));
        Assert.Equal(0, ratings.RankedUsers);
        Assert.True(double.IsNaN(ratings.NdcgAtK) && double.IsNaN(ratings.PrecisionAtK) && double.IsNaN(ratings.Coverage));
    }

    [Fact]
    public void Evaluate_Popularity_RankingMetricsMatchHandComputation()
    {
        // Popularity: p1 (3 users) > p2 (2) > p3 (1) > p4 (1, higher index breaks the tie).
        var train = TestDatasets.From(
            ("u1", "p1", 5, 1), ("u2", "p1", 5, 1), ("u3", "p1", 5, 1),
            ("u2", "p2", 5, 1), ("u3", "p2", 5, 1),
            ("u3", "p3", 5, 1),
            ("u4", "p4", 5, 1));
        var test = TestDatasets.From(
            ("u1", "p3", 5, 2),      // u1 candidates p2,p3,p4 -> top2 p2,p3: hit at rank 2
            ("u1", "p4", 2, 2),      // not relevant
            ("u2", "p4", 4, 2),      // u2 candidates p3,p4 -> top2 p3,p4: hit at rank 2
            ("u3", "p4", 3.5f, 2));  // u3 has nothing relevant: not ranked
        var model = new PopularityTrainer().Fit(train);

        var result = Evaluator.Evaluate(model, test, new EvaluationOptions { K = 2, MaxDegreeOfParallelism = 1 });

        var ndcgAtRank2 = (1 / Math.Log2(3)) / 1.0;
        Assert.Equal(2, result.RankedUsers);
        Assert.Equal(0.5, result.PrecisionAtK, 12);
        Assert.Equal(1.0, result.RecallAtK, 12);
        Assert.Equal(ndcgAtRank2, result.NdcgAtK, 12);
        Assert.Equal(0.5, result.MapAtK, 12);
        Assert.Equal(1.0, result.HitRateAtK, 12);
        Assert.Equal(3.0 / 4, result.Coverage, 12); // p2, p3, p4 recommended
    }

    [Fact]
    public void Evaluate_NoRelevantTestItems_ReportsNaNNotZero()
    {
        var train = TestDatasets.From(("a", "x", 4, 1));
        var test = TestDatasets.From(("a", "y", 1, 2));

        var result = Evaluator.Evaluate(new PopularityTrainer().Fit(train), test);

        Assert.Equal(0, result.RankedUsers);
        Assert.True(double.IsNaN(result.NdcgAtK));
    }

    [Fact]
    public void Evaluate_ParallelAndSequential_GiveIdenticalResults()
    {
        var split = DataSplitter.RandomHoldout(SyntheticDataGenerator.CreateDefault(), 0.2, 3);
        var model = new BaselineTrainer().Fit(split.Train);

        var sequential = Evaluator.Evaluate(model, split.Test, new EvaluationOptions { MaxDegreeOfParallelism = 1 });
        var parallel = Evaluator.Evaluate(model, split.Test, new EvaluationOptions { MaxDegreeOfParallelism = 4 });

        Assert.Equal(sequential with { PredictSeconds = 0, RecommendSeconds = 0 }, parallel with { PredictSeconds = 0, RecommendSeconds = 0 });
    }

    [Fact]
    public void CrossValidate_MeanIsTheAverageOfTheFolds()
    {
        var folds = DataSplitter.KFold(TestDatasets.Synthetic(4, 25, 30, 12), 3, 1);

        var result = Evaluator.CrossValidate(new BaselineTrainer(), folds);

        Assert.Equal(3, result.Folds.Count);
        Assert.Equal(result.Folds.Average(f => f.Rmse), result.Mean.Rmse, 12);
        Assert.Equal(result.Folds.Sum(f => f.RatingCount), result.Mean.RatingCount);
    }

    [Fact]
    public void StandardDeviation_IsTheSampleStandardDeviationOverTheFolds()
    {
        var template = Evaluator.FitAndEvaluate(new BaselineTrainer(), DataSplitter.RandomHoldout(TestDatasets.Synthetic(4, 25, 30, 12), 0.2, 1));
        EvaluationResult With(double ndcg) => template with { NdcgAtK = ndcg };

        var result = new CrossValidationResult([With(0.2), With(0.4), With(0.9)]);

        // mean 0.5; squared deviations 0.09 + 0.01 + 0.16 = 0.26 over n - 1 = 2
        Assert.Equal(Math.Sqrt(0.13), result.StandardDeviation(r => r.NdcgAtK), 12);
        Assert.Equal(0, new CrossValidationResult([With(0.3)]).StandardDeviation(r => r.NdcgAtK));
        Assert.True(double.IsNaN(new CrossValidationResult([With(0.3), With(double.NaN)]).StandardDeviation(r => r.NdcgAtK)));
    }

    [Fact]
    public void Evaluate_SyntheticData_LearnedBiasesBeatTheGlobalMean()
    {
        var split = DataSplitter.RandomHoldout(SyntheticDataGenerator.CreateDefault(), 0.2, 42);

        var mean = Evaluator.FitAndEvaluate(new GlobalMeanTrainer(), split);
        var baseline = Evaluator.FitAndEvaluate(new BaselineTrainer(), split);

        Assert.True(baseline.Rmse < mean.Rmse - 0.1, $"baseline {baseline.Rmse} vs global mean {mean.Rmse}");
    }
}
