namespace Recsys.Recommenders;

/// <summary>An item index with the score a recommender gave it.</summary>
/// <param name="Item">The item's dense index in the recommender's <see cref="IRecommender.Items"/>.</param>
/// <param name="Score">The score; higher is better.</param>
public readonly record struct ScoredItem(int Item, float Score);
