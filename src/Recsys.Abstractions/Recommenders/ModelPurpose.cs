namespace Recsys.Recommenders;

/// <summary>
/// What a model is for, and therefore which metrics mean something for it: a rating model's RMSE and MAE, a top-N
/// model's ranking metrics. An implicit-feedback model has no meaningful RMSE; a rating model ranked by predicted
/// rating is not what a ranking metric should judge. Promotion compares models only on metrics meaningful for all
/// of them.
/// </summary>
[Flags]
public enum ModelPurpose
{
    /// <summary>Nothing declared.</summary>
    None = 0,

    /// <summary>Predicts the value (rating) a user would give an item: RMSE and MAE are meaningful.</summary>
    RatingPrediction = 1,

    /// <summary>Ranks items for a user (top-N): precision, recall, NDCG, MAP, hit rate and coverage at k are meaningful.</summary>
    Ranking = 2,

    /// <summary>Both: every metric is meaningful.</summary>
    Both = RatingPrediction | Ranking,
}
