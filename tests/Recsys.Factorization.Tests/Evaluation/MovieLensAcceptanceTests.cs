using Recsys.Baselines;
using Recsys.Data;
using Recsys.Evaluation;

namespace Recsys.Factorization.Tests.Evaluation;

/// <summary>
/// The foundation's acceptance figures on the fixed MovieLens latest-small split: Surprise's BaselineOnly gets
/// RMSE 0.8785 there; a reference popularity ranking gets NDCG@10 0.161–0.165.
/// </summary>
public sealed class MovieLensAcceptanceTests
{
    /// <summary>The fixed split, read from ../shared (skipped with the reason when absent); shared by the acceptance tests of this project.</summary>
    internal static DataSplit FixedSplit() => new(
        MovieLens.ReadRatings(MovieLensData.File("splits/train-80.csv")).Dataset,
        MovieLens.ReadRatings(MovieLensData.File("splits/test-20.csv")).Dataset,
        "train-80 / test-20");

    [Fact]
    public void Baseline_FixedSplit_RmseAtMost0880()
    {
        var result = Evaluator.FitAndEvaluate(new BaselineTrainer(), FixedSplit());

        Assert.InRange(result.Rmse, 0.80, 0.880);
        Assert.Equal(20_168, result.RatingCount);
    }

    [Theory]
    [InlineData(PopularityKind.InteractionCount)]
    [InlineData(PopularityKind.PositiveCount)]
    public void Popularity_FixedSplit_NdcgAtLeast016(PopularityKind kind)
    {
        var result = Evaluator.FitAndEvaluate(new PopularityTrainer(new PopularityOptions { Kind = kind }), FixedSplit());

        Assert.InRange(result.NdcgAtK, 0.160, 0.20);
        Assert.Equal(10, result.K);
    }

    [Fact]
    public void MaskedNmf_FixedSplit_UnknownItemsGetTheMean_RmseAtMost093()
    {
        // 867 test rows name items absent from training; they were predicted 0 and clamped to 0.5 (RMSE 1.0858).
        var split = FixedSplit();
        var model = Recsys.Recommenders.RecommenderAlgorithms.Create("nmf-masked").Fit(split.Train);

        var result = Evaluator.Evaluate(model, split.Test);

        Assert.Equal(867, result.UnknownItemRatings);
        Assert.InRange(result.Rmse, 0.85, 0.93);
        Assert.NotEqual(split.Train.MinValue, model.Predict(0, -1));
    }
}
