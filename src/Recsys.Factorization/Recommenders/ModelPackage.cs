using Recsys.Data;

namespace Recsys.Recommenders;

/// <summary>A model read from a model file, with the item metadata saved beside it.</summary>
/// <param name="Model">The model.</param>
/// <param name="ItemMetadata">The item titles and genres, or <see langword="null"/> when none were saved.</param>
public sealed record ModelPackage(IRecommender Model, ItemMetadata? ItemMetadata);
