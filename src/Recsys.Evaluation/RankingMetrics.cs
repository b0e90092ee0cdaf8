namespace Recsys.Evaluation;

/// <summary>Ranking metrics of one user's top-K list against the user's relevant held-out items.</summary>
/// <param name="Precision">Hits divided by K.</param>
/// <param name="Recall">Hits divided by the number of relevant items.</param>
/// <param name="Ndcg">Discounted cumulative gain with binary gains, divided by the ideal DCG of min(K, relevant) hits.</param>
/// <param name="AveragePrecision">The sum of precision at every hit, divided by min(K, relevant).</param>
/// <param name="Hit">1 when the list holds at least one relevant item, else 0.</param>
public readonly record struct RankingMetrics(double Precision, double Recall, double Ndcg, double AveragePrecision, double Hit)
{
    /// <summary>Computes the metrics of one list.</summary>
    /// <param name="ranked">The recommended items, best first; at most <paramref name="k"/> are considered.</param>
    /// <param name="relevant">Whether an item is relevant.</param>
    /// <param name="relevantCount">The number of relevant items, including any the model cannot recommend.</param>
    /// <param name="k">The cut-off.</param>
    /// <returns>The metrics; all zero when <paramref name="relevantCount"/> is zero.</returns>
    public static RankingMetrics Compute(ReadOnlySpan<int> ranked, Func<int, bool> relevant, int relevantCount, int k)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegative(relevantCount);
        if (relevantCount == 0)
        {
            return default;
        }

        var hits = 0;
        var dcg = 0.0;
        var precisionSum = 0.0;
        var length = Math.Min(k, ranked.Length);
        for (var position = 0; position < length; position++)
        {
            if (relevant(ranked[position]))
            {
                hits++;
                dcg += 1.0 / Math.Log2(position + 2);
                precisionSum += (double)hits / (position + 1);
            }
        }

        var ideal = Math.Min(k, relevantCount);
        var idcg = 0.0;
        for (var position = 0; position < ideal; position++)
        {
            idcg += 1.0 / Math.Log2(position + 2);
        }

        return new RankingMetrics(
            (double)hits / k,
            (double)hits / relevantCount,
            dcg / idcg,
            precisionSum / ideal,
            hits > 0 ? 1 : 0);
    }
}
