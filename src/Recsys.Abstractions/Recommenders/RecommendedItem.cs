namespace Recsys.Recommenders;

/// <summary>A recommended item with its identifier and score.</summary>
/// <param name="ItemId">The item identifier.</param>
/// <param name="Score">The score; higher is better.</param>
public readonly record struct RecommendedItem(string ItemId, float Score);
