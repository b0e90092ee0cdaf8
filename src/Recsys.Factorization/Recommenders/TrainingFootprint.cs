using Recsys.Data;

namespace Recsys.Recommenders;

/// <summary>What a model keeps of its training data: the id maps, each user's training items (to exclude them from recommendations) and the value range.</summary>
internal sealed class TrainingFootprint
{
    public TrainingFootprint(IdMap users, IdMap items, int[] seenOffsets, int[] seenItems, float minValue, float maxValue)
    {
        if (seenOffsets.Length != users.Count + 1 || seenOffsets[^1] != seenItems.Length)
        {
            throw new ArgumentException("The seen-item offsets do not match the users and items.");
        }

        Users = users;
        Items = items;
        SeenOffsets = seenOffsets;
        SeenItems = seenItems;
        MinValue = minValue;
        MaxValue = maxValue;
    }

    public IdMap Users { get; }

    public IdMap Items { get; }

    public int[] SeenOffsets { get; }

    public int[] SeenItems { get; }

    public float MinValue { get; }

    public float MaxValue { get; }

    public static TrainingFootprint From(InteractionDataset data) =>
        new(data.Users, data.Items, data.UserOffsets.ToArray(), data.RowItems.ToArray(), data.MinValue, data.MaxValue);

    public ReadOnlySpan<int> Seen(int user) => SeenItems.AsSpan(SeenOffsets[user], SeenOffsets[user + 1] - SeenOffsets[user]);

    /// <summary>The number of training interactions of every item.</summary>
    public float[] ItemCounts()
    {
        var counts = new float[Items.Count];
        foreach (var item in SeenItems)
        {
            counts[item]++;
        }

        return counts;
    }
}
