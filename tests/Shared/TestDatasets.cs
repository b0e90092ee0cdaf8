using Recsys.Data;

namespace Recsys.Tests.Shared;

internal static class TestDatasets
{
    /// <summary>A small synthetic dataset whose size depends on the arguments (for properties).</summary>
    public static InteractionDataset Synthetic(ushort seed, int users, int items, int perUser)
    {
        users = 1 + (Math.Abs(users) % 30);
        items = 1 + (Math.Abs(items) % 40);
        var interactions = Math.Min(users * items, users * (1 + (Math.Abs(perUser) % 15)));
        return new SyntheticDataGenerator(new SyntheticDataOptions { Seed = seed, Users = users, Items = items, Interactions = interactions }).GenerateDataset();
    }

    public static InteractionDataset From(params (string User, string Item, float Value, long Time)[] rows)
    {
        var builder = new InteractionDatasetBuilder();
        foreach (var (user, item, value, time) in rows)
        {
            builder.Add(user, item, value, time);
        }

        return builder.Build();
    }
}
