namespace Recsys.Recommenders;

/// <summary>An item index with the score a recommender gave it.</summary>
/// <param name="Item">The item's dense index in the recommender's <see cref="IRecommender.Items"/>.</param>
/// <param name="Score">The score; higher is better.</param>
public readonly record struct ScoredItem(int Item, float Score);

/// <summary>A recommended item with its identifier and score.</summary>
/// <param name="ItemId">The item identifier.</param>
/// <param name="Score">The score; higher is better.</param>
public readonly record struct RecommendedItem(string ItemId, float Score);
