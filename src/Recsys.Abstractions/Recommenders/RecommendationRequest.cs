namespace Recsys.Recommenders;

/// <summary>
/// A top-N request by identifiers: what HTTP serving, the <c>recsys recommend</c> command and in-process callers
/// share through <see cref="RecommenderExtensions.Recommend(IRecommender, RecommendationRequest)"/>, so the same model,
/// user and filters give the same list everywhere.
/// </summary>
public sealed class RecommendationRequest
{
    /// <summary>Gets the user identifier; a user the model does not know gets the cold-start ranking (popularity).</summary>
    public required string UserId { get; init; }

    /// <summary>Gets how many items to return at most.</summary>
    /// <value>The default value is 10.</value>
    public int Count { get; init; } = 10;

    /// <summary>
    /// Gets a value indicating whether the user's whole history is left out: the model's training items of the user
    /// plus <see cref="History"/>.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ExcludeSeen { get; init; } = true;

    /// <summary>
    /// Gets item identifiers the user interacted with that the model may not have seen (for example interactions
    /// stored since it was trained); left out when <see cref="ExcludeSeen"/> is set. Unknown identifiers are ignored.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IEnumerable<string>? History { get; init; }

    /// <summary>
    /// Gets the user's interactions (item identifier and value) that the model may not have learned, for example the
    /// ones stored since it was trained. A model that folds histories in (<see cref="IFoldInRecommender"/>) answers
    /// from them, so a new user with a few interactions gets a list of their own; others ignore them. They are not
    /// excluded by themselves: give them in <see cref="History"/> too.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IReadOnlyList<KeyValuePair<string, float>>? FoldIn { get; init; }

    /// <summary>Gets item identifiers that must not be returned; unknown identifiers are ignored.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IEnumerable<string>? ExcludeItems { get; init; }

    /// <summary>Gets a predicate over the model's item indices (for example a genre filter) that returned items satisfy.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<int, bool>? ItemPredicate { get; init; }

    /// <summary>Gets the lowest score an item may have to be returned.</summary>
    /// <value>The default value is <see langword="null"/> (no bound).</value>
    public float? MinScore { get; init; }
}
