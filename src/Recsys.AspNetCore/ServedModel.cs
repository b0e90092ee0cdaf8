using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.AspNetCore;

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
        Attributes = new ItemAttributes?[model.Items.Count];
        if (metadata is not null)
        {
            for (var i = 0; i < Attributes.Length; i++)
            {
                metadata.TryGetAttributes(model.Items[i], out Attributes[i]);
            }
        }

        var counts = History?.ItemInteractionCounts() ?? new int[model.Items.Count];
        PopularityCounts = counts;
        PopularityOrder = [.. Enumerable.Range(0, counts.Length).OrderByDescending(i => counts[i]).ThenBy(i => i)];
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

    /// <summary>Training interactions per item, by dense item index.</summary>
    public int[] PopularityCounts { get; }

    /// <summary>Item indices, most interacted first: the cold-start ranking.</summary>
    public int[] PopularityOrder { get; }

    public string Key => $"{Version.ModelName}/{Version.Version}";
}
