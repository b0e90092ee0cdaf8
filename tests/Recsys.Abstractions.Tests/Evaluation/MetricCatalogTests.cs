using Recsys.Evaluation;
using Recsys.Recommenders;

namespace Recsys.Abstractions.Tests.Evaluation;

/// <summary>The one home of the metric rules: direction (with a declared override) and the default metric per purpose.</summary>
public sealed class MetricCatalogTests
{
    [Theory]
    [InlineData(ModelPurpose.RatingPrediction, "rmse")]
    [InlineData(ModelPurpose.Ranking, "ndcg_at_k")]
    [InlineData(ModelPurpose.Both, "ndcg_at_k")] // serving ranks: a model for both is judged on its lists
    [InlineData(ModelPurpose.None, "ndcg_at_k")]
    [InlineData(null, "ndcg_at_k")] // unknown purpose: as Both
    public void DefaultMetric_ByPurpose(ModelPurpose? purpose, string expected) =>
        Assert.Equal(expected, MetricCatalog.DefaultMetric(purpose));

    [Fact]
    public void DefaultMetric_IsMeaningfulForItsPurpose()
    {
        foreach (var purpose in new[] { ModelPurpose.RatingPrediction, ModelPurpose.Ranking, ModelPurpose.Both })
        {
            Assert.True(MetricCatalog.IsMeaningful(MetricCatalog.DefaultMetric(purpose), purpose), purpose.ToString());
        }
    }

    [Theory]
    [InlineData("rmse", null, false)]
    [InlineData("ndcg_at_k", null, true)]
    [InlineData("ndcg_at_k", false, false)] // a policy's declared direction wins
    [InlineData("rmse", true, true)]
    [InlineData("RMSE", null, false)]
    [InlineData("weighted_rmse", false, false)] // not catalogued: declared
    [InlineData("gamae_score", true, true)] // no guessing from a name that happens to contain "mae"
    public void HigherIsBetter_TheCatalogsUnlessDeclared(string metric, bool? declared, bool expected) =>
        Assert.Equal(expected, MetricCatalog.HigherIsBetter(metric, declared));

    [Fact]
    public void HigherIsBetter_UncataloguedAndUndeclared_IsRefusedNamingTheFix()
    {
        var error = Assert.Throws<ArgumentException>(() => MetricCatalog.HigherIsBetter("weighted_rmse", null));

        Assert.Contains("'weighted_rmse' is not a catalogued metric", error.Message, StringComparison.Ordinal);
        Assert.Contains("HigherIsBetter", error.Message, StringComparison.Ordinal);
    }
}
