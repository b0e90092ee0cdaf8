namespace Recsys.Recommenders;

/// <summary>
/// A model that folds a user's newer interactions into its answer without retraining: the user's vector (or
/// neighbourhood) is computed from what they did since the model was trained, so a user who rated five films a second
/// ago, or a user the model never saw, gets a list of their own.
/// </summary>
public interface IFoldInRecommender : IRecommender
{
    /// <summary>Gets a value indicating whether this model folds histories in (an algorithm without a fold-in answers as <see cref="IRecommender.Recommend"/>).</summary>
    bool SupportsFoldIn { get; }

    /// <summary>
    /// Recommends for a user from their interactions the model did not learn, on top of what it learned of them.
    /// Items the model already learned for the user, and items it does not know, are ignored; with none left (or
    /// without <see cref="SupportsFoldIn"/>) the answer is <see cref="IRecommender.Recommend"/>'s. Exclusions come from
    /// <paramref name="filter"/> as for <see cref="IRecommender.Recommend"/> (the history is not excluded by itself).
    /// </summary>
    /// <param name="user">The model's index of the user, or -1 for a user the model does not know.</param>
    /// <param name="items">The model's indices of the items of the user's newer interactions.</param>
    /// <param name="values">Their values (ratings, or 1 for implicit signals), aligned with <paramref name="items"/>.</param>
    /// <param name="destination">Receives the best items, best first.</param>
    /// <param name="filter">Which items may be returned; <see langword="null"/> means <see cref="RecommendationFilter.Default"/>.</param>
    /// <returns>How many items were written, and whether the history changed the answer (it was folded in).</returns>
    (int Written, bool FoldedIn) RecommendFromHistory(int user, ReadOnlySpan<int> items, ReadOnlySpan<float> values, Span<ScoredItem> destination, RecommendationFilter? filter = null);
}
