namespace Recsys.Recommenders;

/// <summary>
/// What a trained model remembers of its training interactions: which items each user had, and how many users had
/// each item. Serving uses it to exclude seen items and to rank by popularity for users the model does not know.
/// </summary>
public interface ITrainingHistory
{
    /// <summary>The items (dense indices, ascending) user <paramref name="user"/> interacted with in training.</summary>
    /// <param name="user">A dense user index.</param>
    /// <returns>The items.</returns>
    ReadOnlySpan<int> SeenItems(int user);

    /// <summary>How many training interactions each item has, indexed by dense item index.</summary>
    /// <returns>A new array of counts.</returns>
    int[] ItemInteractionCounts();

    /// <summary>Gets the lowest to the highest interaction value the model was trained on (the data's own scale), or <see langword="null"/> when unknown.</summary>
    Recsys.Data.RatingScale? ValueRange => null;
}
