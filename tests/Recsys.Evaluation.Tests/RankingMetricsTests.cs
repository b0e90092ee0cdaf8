using FsCheck.Xunit;
using Recsys.Evaluation;

namespace Recsys.Evaluation.Tests;

public sealed class RankingMetricsTests
{
    [Fact]
    public void Compute_HandWorkedCase_MatchesDefinitions()
    {
        // Ranked 10, 20, 30, 40 with relevant {10, 30, 99}; 99 cannot be recommended. k = 4.
        var metrics = RankingMetrics.Compute([10, 20, 30, 40], new HashSet<int> { 10, 30, 99 }.Contains, relevantCount: 3, k: 4);

        Assert.Equal(2.0 / 4, metrics.Precision, 12);
        Assert.Equal(2.0 / 3, metrics.Recall, 12);
        var dcg = 1.0 + (1.0 / Math.Log2(4));
        var idcg = 1.0 + (1.0 / Math.Log2(3)) + (1.0 / Math.Log2(4));
        Assert.Equal(dcg / idcg, metrics.Ndcg, 12);
        Assert.Equal(((1.0 / 1) + (2.0 / 3)) / 3, metrics.AveragePrecision, 12);
        Assert.Equal(1.0, metrics.Hit);
    }

    [Fact]
    public void Compute_PerfectList_IsOne()
    {
        var metrics = RankingMetrics.Compute([1, 2], new HashSet<int> { 1, 2 }.Contains, relevantCount: 2, k: 2);

        Assert.Equal(new RankingMetrics(1, 1, 1, 1, 1), metrics);
    }

    [Fact]
    public void Compute_MoreRelevantThanK_IdealIsCappedAtK()
    {
        var metrics = RankingMetrics.Compute([1, 2], static _ => true, relevantCount: 5, k: 2);

        Assert.Equal(1.0, metrics.Ndcg, 12);
        Assert.Equal(1.0, metrics.AveragePrecision, 12);
        Assert.Equal(0.4, metrics.Recall, 12);
    }

    [Fact]
    public void Compute_ShortListOrMiss_PrecisionStillDividesByK()
    {
        var metrics = RankingMetrics.Compute([7], static i => i == 7, relevantCount: 1, k: 10);
        Assert.Equal(0.1, metrics.Precision, 12);

        var miss = RankingMetrics.Compute([1, 2, 3], static _ => false, relevantCount: 2, k: 3);
        Assert.Equal(default, miss);
    }

    [Property(MaxTest = 300)]
    public bool Compute_AnyList_StaysWithinBounds(int[] ranked, int[] relevantItems, byte k)
    {
        var cut = 1 + (k % 20);
        var list = ranked.Distinct().ToArray();
        var relevant = relevantItems.ToHashSet();
        var m = RankingMetrics.Compute(list, relevant.Contains, relevant.Count, cut);
        static bool Unit(double x) => x >= 0 && x <= 1 + 1e-12;
        return Unit(m.Precision) && Unit(m.Recall) && Unit(m.Ndcg) && Unit(m.AveragePrecision) && Unit(m.Hit)
            && (relevant.Count > 0 || m == default);
    }
}
