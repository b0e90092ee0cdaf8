using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Serving;

/// <summary>
/// One loaded, verified model version with everything a request needs. Immutable: a swap replaces the whole object,
/// so a request that took a reference finishes on that version.
/// </summary>
internal sealed class ServedModel
{
    public ServedModel(IRecommender model, ItemMetadata? metadata, ModelVersion version, DateTimeOffset loadedAt)
    {
        Model = model;
        Version = version;
        LoadedAt = loadedAt;
        History = model as ITrainingHistory;
        Similarity = model as IItemSimilarity;
        Attributes = metadata?.ByIndex(model.Items) ?? new ItemAttributes?[model.Items.Count];
        HasMetadata = metadata is not null;
    }

    public IRecommender Model { get; }

    public ITrainingHistory? History { get; }

    public IItemSimilarity? Similarity { get; }

    public ModelVersion Version { get; }

    public DateTimeOffset LoadedAt { get; }

    public bool HasMetadata { get; }

    /// <summary>Titles and genres by dense item index (null when unknown).</summary>
    public ItemAttributes?[] Attributes { get; }

    public string Key => $"{Version.ModelName}/{Version.Version}";
}
