namespace Recsys.Evaluation;

/// <summary>
/// The measured quality of one model on one held-out set. Rating metrics cover every held-out interaction
/// (unknown users and items get the model's documented fallback prediction and are counted);
/// ranking metrics average over the users with at least one relevant held-out item, ranking all candidate items.
/// </summary>
public sealed record EvaluationResult
{
    /// <summary>Gets the algorithm that was evaluated.</summary>
    public required string Algorithm { get; init; }

    /// <summary>Gets the root mean squared error of the predictions, or NaN without held-out interactions.</summary>
    public required double Rmse { get; init; }

    /// <summary>Gets the mean absolute error of the predictions, or NaN without held-out interactions.</summary>
    public required double Mae { get; init; }

    /// <summary>Gets the number of predicted held-out interactions.</summary>
    public required int RatingCount { get; init; }

    /// <summary>Gets how many of them had a user unknown to the model.</summary>
    public required int UnknownUserRatings { get; init; }

    /// <summary>Gets how many of them had an item unknown to the model.</summary>
    public required int UnknownItemRatings { get; init; }

    /// <summary>Gets the cut-off of the ranking metrics.</summary>
    public required int K { get; init; }

    /// <summary>Gets the lowest held-out value that counts as relevant.</summary>
    public required double RelevanceThreshold { get; init; }

    /// <summary>Gets the number of users the ranking metrics average over.</summary>
    public required int RankedUsers { get; init; }

    /// <summary>Gets the mean precision at K (hits / K), or NaN without ranked users.</summary>
    public required double PrecisionAtK { get; init; }

    /// <summary>Gets the mean recall at K (hits / relevant items), or NaN without ranked users.</summary>
    public required double RecallAtK { get; init; }

    /// <summary>Gets the mean NDCG at K with binary gains, or NaN without ranked users.</summary>
    public required double NdcgAtK { get; init; }

    /// <summary>Gets the mean average precision at K (normalized by min(K, relevant items)), or NaN without ranked users.</summary>
    public required double MapAtK { get; init; }

    /// <summary>Gets the share of ranked users with at least one hit in the top K, or NaN without ranked users.</summary>
    public required double HitRateAtK { get; init; }

    /// <summary>Gets the share of the model's items that appear in at least one ranked user's top K.</summary>
    public required double Coverage { get; init; }

    /// <summary>Gets the seconds spent training, or 0 when the model was trained elsewhere.</summary>
    public double FitSeconds { get; init; }

    /// <summary>Gets the seconds spent predicting the held-out interactions.</summary>
    public required double PredictSeconds { get; init; }

    /// <summary>Gets the seconds spent computing the top-K lists.</summary>
    public required double RecommendSeconds { get; init; }
}
