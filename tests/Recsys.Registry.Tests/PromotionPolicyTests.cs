namespace Recsys.Registry.Tests;

public sealed class PromotionPolicyTests
{
    private static Dictionary<string, double> M(params (string Name, double Value)[] metrics) => metrics.ToDictionary(m => m.Name, m => m.Value);

    [Fact]
    public void Decide_NoProduction_PromotesWhenGatesPass()
    {
        var decision = new PromotionPolicy { PrimaryMetric = "rmse" }.Decide(M(("rmse", 0.9)), null);

        Assert.Equal(PromotionOutcome.Promote, decision.Outcome);
        Assert.Null(decision.Production);
    }

    [Theory]
    [InlineData("rmse", 0.85, 0.86, PromotionOutcome.Promote)]
    [InlineData("rmse", 0.86, 0.86, PromotionOutcome.Stage)]
    [InlineData("rmse", 0.87, 0.86, PromotionOutcome.Stage)]
    [InlineData("ndcg_at_k", 0.30, 0.28, PromotionOutcome.Promote)]
    [InlineData("ndcg_at_k", 0.27, 0.28, PromotionOutcome.Stage)]
    public void Decide_DirectionFollowsTheMetric(string metric, double candidate, double production, PromotionOutcome expected)
    {
        var decision = new PromotionPolicy { PrimaryMetric = metric }.Decide(M((metric, candidate)), M((metric, production)));

        Assert.Equal(expected, decision.Outcome);
        Assert.Equal(production, decision.Production);
    }

    [Fact]
    public void Decide_UncataloguedMetric_UsesTheDeclaredDirection_AndIsRefusedWithoutOne()
    {
        var declared = new PromotionPolicy { PrimaryMetric = "weighted_mae", HigherIsBetter = true }.Decide(M(("weighted_mae", 0.30)), M(("weighted_mae", 0.28)));
        var error = Assert.Throws<ArgumentException>(() => new PromotionPolicy { PrimaryMetric = "weighted_mae" }.Decide(M(("weighted_mae", 0.30)), M(("weighted_mae", 0.28))));

        Assert.Equal(PromotionOutcome.Promote, declared.Outcome);
        Assert.Contains("'weighted_mae' is not a catalogued metric", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ImprovementBelowMargin_Stages()
    {
        var decision = new PromotionPolicy { PrimaryMetric = "rmse", MinImprovement = 0.01 }.Decide(M(("rmse", 0.855)), M(("rmse", 0.86)));

        Assert.Equal(PromotionOutcome.Stage, decision.Outcome);
        Assert.Contains("does not beat Production's 0.86 by more than 0.01", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_FailedGatesOrMissingMetric_Reject()
    {
        var policy = new PromotionPolicy { PrimaryMetric = "rmse", MinTestSize = 1000 };
        policy.MinimumMetrics["ndcg_at_10"] = 0.05;
        policy.MaximumMetrics["mae"] = 0.8;

        Assert.Equal(PromotionOutcome.Reject, policy.Decide(M(("mae", 0.7)), null).Outcome);
        Assert.Contains("at least 1000", policy.Decide(M(("rmse", 0.8), ("test_size", 10)), null).Reason, StringComparison.Ordinal);
        Assert.Contains("ndcg_at_10", policy.Decide(M(("rmse", 0.8), ("test_size", 5000), ("ndcg_at_10", 0.01), ("mae", 0.5)), null).Reason, StringComparison.Ordinal);
        Assert.Contains("mae = 0.9 is above 0.8", policy.Decide(M(("rmse", 0.8), ("test_size", 5000), ("ndcg_at_10", 0.1), ("mae", 0.9)), null).Reason, StringComparison.Ordinal);
        Assert.Equal(PromotionOutcome.Promote, policy.Decide(M(("rmse", 0.8), ("test_size", 5000), ("ndcg_at_10", 0.1), ("mae", 0.5)), null).Outcome);
    }

    [Fact]
    public void Decide_DefaultMetric_IsARankingMetric()
    {
        Assert.Equal("ndcg_at_k", new PromotionPolicy().PrimaryMetric);
    }

    [Fact]
    public void Decide_ProductionWithoutTheMetric_StagesInsteadOfPromoting()
    {
        // An implicit top-N Production has no meaningful RMSE: a rating model must not replace it on RMSE.
        var decision = new PromotionPolicy { PrimaryMetric = "rmse" }.Decide(M(("rmse", 0.9)), M(("ndcg_at_k", 0.28)));

        Assert.Equal(PromotionOutcome.Stage, decision.Outcome);
        Assert.Contains("not comparable", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromoteAsync_IgnoresMetricsNotMeaningfulForTheDeclaredPurpose()
    {
        var registry = ModelRegistries.CreateInMemory();
        var ranking = new Dictionary<string, string> { [ModelRegistryPromotion.PurposeTag] = "ranking" };
        var rating = new Dictionary<string, string> { [ModelRegistryPromotion.PurposeTag] = "rating-prediction" };
        var ct = TestContext.Current.CancellationToken;

        // Production: a top-N model that (as old versions did) carries an RMSE of 3.2.
        var top = await registry.RegisterVersionAsync("m", new NewModelVersion { Trainer = "als-implicit", Metrics = M(("rmse", 3.2), ("ndcg_at_k", 0.28)), Tags = ranking }, new byte[] { 1 }, ct);
        await registry.TransitionStageAsync("m", top.Version, ModelStage.Production, true, "test", "setup", ct);
        var candidate = await registry.RegisterVersionAsync("m", new NewModelVersion { Trainer = "als", Metrics = M(("rmse", 1.0)), Tags = rating }, new byte[] { 2 }, ct);

        var decision = await registry.PromoteAsync("m", candidate.Version, new PromotionPolicy { PrimaryMetric = "rmse" }, null, "test", ct);

        Assert.Equal(PromotionOutcome.Stage, decision.Outcome);
        Assert.Equal(top.Version, (await registry.GetByStageAsync("m", ModelStage.Production, ct))!.Version);
    }
}
