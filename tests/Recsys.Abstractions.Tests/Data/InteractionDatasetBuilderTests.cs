using FsCheck.Xunit;
using Recsys.Data;

namespace Recsys.Abstractions.Tests.Data;

public sealed class InteractionDatasetBuilderTests
{
    [Fact]
    public void Build_DuplicatePairs_LatestTimestampWinsAndDropsAreCounted()
    {
        var builder = new InteractionDatasetBuilder();
        builder.Add("u1", "i1", 1f, 300);
        builder.Add("u1", "i1", 5f, 100); // older: dropped
        builder.Add("u1", "i2", 2f, 100);
        builder.Add("u1", "i2", 3f, 100); // same time, added later: wins
        builder.Add("u2", "i1", 4f, 50);

        var data = builder.Build();

        Assert.Equal(3, data.Count);
        Assert.Equal(2, data.DuplicatesDropped);
        var u1 = data.Users.IndexOf("u1");
        Assert.Equal(
            [new Interaction("u1", "i1", 1f, 300), new Interaction("u1", "i2", 3f, 100)],
            data.EnumerateInteractions().Where(x => x.UserId == "u1"));
        Assert.Equal(2, data.GetUserItems(u1).Length);
    }

    [Fact]
    public void Build_Empty_GivesEmptyDataset()
    {
        var data = new InteractionDatasetBuilder().Build();

        Assert.Equal(0, data.Count);
        Assert.Empty(data.Users);
        Assert.Equal(0, data.GlobalMean);
    }

    [Fact]
    public void Add_NonFiniteValue_ThrowsAndKeepsNothing()
    {
        var builder = new InteractionDatasetBuilder();

        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add("u", "i", float.NaN, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add("u", "i", float.PositiveInfinity, 0));
        Assert.Equal(0, builder.Count);
    }

    [Fact]
    public void Add_EmptyId_Throws()
    {
        var builder = new InteractionDatasetBuilder();

        Assert.Throws<ArgumentException>(() => builder.Add("", "i", 1f, 0));
        Assert.Throws<ArgumentException>(() => builder.Add("u", "", 1f, 0));
    }

    [Fact]
    public void Add_UnregisteredIndex_Throws()
    {
        var builder = new InteractionDatasetBuilder();
        builder.AddUser("u");

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add(0, 0, 1f, 0));
        Assert.Contains("Item index 0 has not been registered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RegisteredIdsWithoutInteractions_AreLeftOut()
    {
        var builder = new InteractionDatasetBuilder();
        builder.AddUser("ghost");
        builder.AddItem("unused");
        builder.Add("u", "i", 2f, 0);

        var data = builder.Build();

        Assert.Equal(["u"], data.Users);
        Assert.Equal(["i"], data.Items);
    }

    [Fact]
    public void Subset_SomeRows_DropsIdsWithoutRowsAndKeepsValues()
    {
        var builder = new InteractionDatasetBuilder();
        builder.Add("a", "x", 1f, 10);
        builder.Add("b", "y", 2f, 20);
        builder.Add("b", "x", 3f, 30);
        var data = builder.Build();

        var subset = data.Subset([data.Count - 1]);

        Assert.Equal(["b"], subset.Users);
        Assert.Equal([data.GetInteraction(data.Count - 1)], subset.EnumerateInteractions());
    }

    [Fact]
    public void Subset_RepeatedRow_Throws()
    {
        var builder = new InteractionDatasetBuilder();
        builder.Add("a", "x", 1f, 10);
        var data = builder.Build();

        Assert.Throws<ArgumentException>(() => data.Subset([0, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset([1]));
    }

    /// <summary>
    /// BuildAndClear gives the dataset Build gives — ids, rows, values, timestamps, duplicates — both for rows grouped
    /// by user (sorted in place) and for any other order (the copying build), and leaves the builder empty.
    /// </summary>
    [Property(MaxTest = 300)]
    public bool BuildAndClear_EqualsBuild((byte User, byte Item, sbyte Value, byte Time)[] rows, bool groupByUser, bool registerUnused)
    {
        var input = groupByUser ? [.. rows.OrderBy(r => r.User % 11)] : rows;
        var reference = new InteractionDatasetBuilder();
        var handedOff = new InteractionDatasetBuilder(input.Length);
        foreach (var builder in new[] { reference, handedOff })
        {
            if (registerUnused)
            {
                builder.AddUser("never");
                builder.AddItem("never");
            }

            foreach (var (user, item, value, time) in input)
            {
                builder.Add($"u{user % 11}", $"i{item % 7}", value, time % 4);
            }
        }

        var expected = reference.Build();
        var actual = handedOff.BuildAndClear();
        return handedOff.Count == 0 && handedOff.UserCount == 0
            && expected.Users.SequenceEqual(actual.Users) && expected.Items.SequenceEqual(actual.Items)
            && expected.DuplicatesDropped == actual.DuplicatesDropped
            && expected.UserOffsets.SequenceEqual(actual.UserOffsets)
            && expected.RowUsers.SequenceEqual(actual.RowUsers) && expected.RowItems.SequenceEqual(actual.RowItems)
            && expected.RowValues.SequenceEqual(actual.RowValues) && expected.RowTimestamps.SequenceEqual(actual.RowTimestamps)
            && expected.ItemRows.SequenceEqual(actual.ItemRows);
    }

    /// <summary>
    /// For random inputs: the result has one row per distinct pair holding the latest value, the by-user view is
    /// sorted by (user, item), and the by-item view is exactly its transpose.
    /// </summary>
    [Property(MaxTest = 200)]
    public bool Build_RandomInteractions_ViewsAreConsistentAndLatestWins((byte User, byte Item, sbyte Value, byte Time)[] rows)
    {
        var builder = new InteractionDatasetBuilder();
        var expected = new Dictionary<(string, string), (float Value, long Time)>();
        foreach (var (user, item, value, time) in rows)
        {
            var key = ($"u{user % 13}", $"i{item % 17}");
            builder.Add(key.Item1, key.Item2, value, time % 5);
            if (!expected.TryGetValue(key, out var old) || time % 5 >= old.Time)
            {
                expected[key] = (value, time % 5);
            }
        }

        var data = builder.Build();
        if (data.Count != expected.Count || data.DuplicatesDropped != rows.Length - expected.Count)
        {
            return false;
        }

        for (var row = 0; row < data.Count; row++)
        {
            var x = data.GetInteraction(row);
            if (expected[(x.UserId, x.ItemId)] != (x.Value, x.Timestamp))
            {
                return false;
            }

            if (row > 0 && (data.RowUsers[row - 1], data.RowItems[row - 1]).CompareTo((data.RowUsers[row], data.RowItems[row])) >= 0)
            {
                return false;
            }
        }

        for (var item = 0; item < data.Items.Count; item++)
        {
            var users = data.GetItemUsers(item);
            var values = data.GetItemValues(item);
            for (var k = 0; k < users.Length; k++)
            {
                var row = data.ItemRows[data.ItemOffsets[item] + k];
                if (data.RowUsers[row] != users[k] || data.RowItems[row] != item || data.RowValues[row] != values[k])
                {
                    return false;
                }

                if (k > 0 && users[k - 1] >= users[k])
                {
                    return false;
                }
            }
        }

        return data.ItemOffsets[data.Items.Count] == data.Count;
    }
}
