namespace Recsys.Evaluation;

/// <summary>
/// The results of several evaluations of one algorithm — the folds of k-fold cross-validation, or the same split
/// trained with several seeds: each result, their mean and their spread.
/// </summary>
public sealed class CrossValidationResult
{
    /// <summary>Initializes a new instance of the <see cref="CrossValidationResult"/> class.</summary>
    /// <param name="folds">The per-fold results; at least one.</param>
    public CrossValidationResult(IReadOnlyList<EvaluationResult> folds)
    {
        ArgumentNullException.ThrowIfNull(folds);
        if (folds.Count == 0)
        {
            throw new ArgumentException("At least one fold result is needed.", nameof(folds));
        }

        Folds = folds;
        double Average(Func<EvaluationResult, double> metric) => folds.Average(metric);
        Mean = new EvaluationResult
        {
            Algorithm = folds[0].Algorithm,
            Rmse = Average(static r => r.Rmse),
            Mae = Average(static r => r.Mae),
            RatingCount = folds.Sum(static r => r.RatingCount),
            UnknownUserRatings = folds.Sum(static r => r.UnknownUserRatings),
            UnknownItemRatings = folds.Sum(static r => r.UnknownItemRatings),
            K = folds[0].K,
            RelevanceThreshold = folds[0].RelevanceThreshold,
            RankedUsers = folds.Sum(static r => r.RankedUsers),
            PrecisionAtK = Average(static r => r.PrecisionAtK),
            RecallAtK = Average(static r => r.RecallAtK),
            NdcgAtK = Average(static r => r.NdcgAtK),
            MapAtK = Average(static r => r.MapAtK),
            HitRateAtK = Average(static r => r.HitRateAtK),
            Coverage = Average(static r => r.Coverage),
            FitSeconds = Average(static r => r.FitSeconds),
            PredictSeconds = Average(static r => r.PredictSeconds),
            RecommendSeconds = Average(static r => r.RecommendSeconds),
        };
    }

    /// <summary>Gets the result of every fold, in fold order.</summary>
    public IReadOnlyList<EvaluationResult> Folds { get; }

    /// <summary>Gets the mean of every metric over the folds (counts are summed, timings averaged).</summary>
    public EvaluationResult Mean { get; }

    /// <summary>Gets the sample standard deviation (n − 1 denominator) of one metric over the folds.</summary>
    /// <param name="metric">The metric, for example <c>r =&gt; r.NdcgAtK</c>.</param>
    /// <returns>The standard deviation; 0 with one fold, NaN when a fold's value is NaN.</returns>
    public double StandardDeviation(Func<EvaluationResult, double> metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (Folds.Count == 1)
        {
            return 0;
        }

        var mean = Folds.Average(metric);
        var squares = Folds.Sum(r => (metric(r) - mean) * (metric(r) - mean));
        return Math.Sqrt(squares / (Folds.Count - 1));
    }
}
