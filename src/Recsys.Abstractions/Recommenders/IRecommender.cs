using Recsys.Data;

namespace Recsys.Recommenders;

/// <summary>A trained model that predicts a user's value for an item and ranks items for a user.</summary>
/// <remarks>
/// Users and items are addressed by their dense indices in <see cref="Users"/> and <see cref="Items"/>; the index
/// -1 stands for a user or item the model has never seen. Unknown users and items never throw: predictions fall
/// back to what the model knows (biases or the global mean) and top-N for an unknown user falls back to the
/// model's non-personalized ranking. Implementations are immutable and safe to use from many threads.
/// </remarks>
public interface IRecommender
{
    /// <summary>Gets the name of the algorithm that trained the model (for example, <c>baseline</c>).</summary>
    string Algorithm { get; }

    /// <summary>Gets the users the model was trained on.</summary>
    IdMap Users { get; }

    /// <summary>Gets the items the model can recommend.</summary>
    IdMap Items { get; }

    /// <summary>Predicts the value a user would give an item.</summary>
    /// <param name="user">A user index, or -1 for an unknown user.</param>
    /// <param name="item">An item index, or -1 for an unknown item.</param>
    /// <returns>The prediction, a finite number.</returns>
    float Predict(int user, int item);

    /// <summary>Predicts many (user, item) pairs at once.</summary>
    /// <param name="users">User indices (-1 for unknown).</param>
    /// <param name="items">Item indices (-1 for unknown), as many as <paramref name="users"/>.</param>
    /// <param name="destination">Receives one prediction per pair; at least as long as <paramref name="users"/>.</param>
    void Predict(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> destination);

    /// <summary>
    /// Writes the highest-scored items for a user into <paramref name="destination"/>, best first, ties broken by the
    /// lower item index.
    /// </summary>
    /// <param name="user">A user index, or -1 for an unknown user (cold start).</param>
    /// <param name="destination">Receives at most <c>destination.Length</c> items.</param>
    /// <param name="filter">Which items may be returned; <see langword="null"/> means <see cref="RecommendationFilter.Default"/>.</param>
    /// <returns>How many items were written: <c>destination.Length</c> unless fewer items pass the filter.</returns>
    int Recommend(int user, Span<ScoredItem> destination, RecommendationFilter? filter = null);
}
