using Recsys.Data;

namespace Recsys.Recommenders;

/// <summary>
/// What a model keeps of its training data: the id maps, each user's training items (to exclude them from
/// recommendations), the value range and mean.
/// </summary>
internal sealed class TrainingFootprint
{
    private float[]? _popularity;

    private readonly int[] _seenItems;

    // seenItems may be longer than the last offset (a dataset's spare capacity), which is then its end.
    public TrainingFootprint(IdMap users, IdMap items, int[] seenOffsets, int[] seenItems, float minValue, float maxValue, double meanValue)
    {
        if (seenOffsets.Length != users.Count + 1 || seenOffsets[^1] > seenItems.Length)
        {
            throw new ArgumentException("The seen-item offsets do not match the users and items.");
        }

        Users = users;
        Items = items;
        SeenOffsets = seenOffsets;
        _seenItems = seenItems;
        MinValue = minValue;
        MaxValue = maxValue;
        MeanValue = double.IsFinite(meanValue) ? meanValue : (minValue + maxValue) / 2.0;
    }

    public IdMap Users { get; }

    public IdMap Items { get; }

    public int[] SeenOffsets { get; }

    public ReadOnlySpan<int> SeenItems => _seenItems.AsSpan(0, SeenOffsets[^1]);

    public float MinValue { get; }

    public float MaxValue { get; }

    /// <summary>The mean training value: the prediction for a pair the model knows nothing about.</summary>
    public double MeanValue { get; }

    // Shares the dataset's (immutable) arrays rather than copying them: 4 bytes a rating less at the peak of a fit.
    public static TrainingFootprint From(InteractionDataset data)
    {
        var (offsets, items) = data.SharedUserItems;
        return new(data.Users, data.Items, offsets, items, data.MinValue, data.MaxValue, data.GlobalMean);
    }

    public ReadOnlySpan<int> Seen(int user) => _seenItems.AsSpan(SeenOffsets[user], SeenOffsets[user + 1] - SeenOffsets[user]);

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

    /// <summary>
    /// The cold-start ranking every model gives an unknown user: each item's training interactions as a share of the
    /// most interacted item's (1 for the most popular item).
    /// </summary>
    public ReadOnlySpan<float> PopularityShares()
    {
        if (_popularity is { } cached)
        {
            return cached;
        }

        var counts = ItemCounts();
        var top = counts.Length == 0 ? 1f : Math.Max(1f, System.Numerics.Tensors.TensorPrimitives.Max<float>(counts));
        System.Numerics.Tensors.TensorPrimitives.Divide(counts, top, counts);
        return _popularity = counts;
    }
}
