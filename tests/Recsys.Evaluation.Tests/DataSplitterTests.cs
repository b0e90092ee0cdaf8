using FsCheck.Xunit;
using Recsys.Data;
using Recsys.Evaluation;

namespace Recsys.Evaluation.Tests;

public sealed class DataSplitterTests
{
    private static IEnumerable<Interaction> Sorted(InteractionDataset data) =>
        data.EnumerateInteractions().OrderBy(x => (x.UserId, x.ItemId));

    private static bool Partitions(InteractionDataset data, DataSplit split) =>
        Sorted(data).SequenceEqual(split.Train.EnumerateInteractions().Concat(split.Test.EnumerateInteractions()).OrderBy(x => (x.UserId, x.ItemId)));

    private static bool SameSplit(DataSplit a, DataSplit b) =>
        Sorted(a.Train).SequenceEqual(Sorted(b.Train)) && Sorted(a.Test).SequenceEqual(Sorted(b.Test));

    private static IEnumerable<(string Name, Func<InteractionDataset, ulong, DataSplit> Split)> Splitters() =>
    [
        ("random", static (d, s) => DataSplitter.RandomHoldout(d, 0.25, s)),
        ("user-fraction", static (d, s) => DataSplitter.PerUserHoldout(d, 0.3, s)),
        ("user-count", static (d, s) => DataSplitter.PerUserHoldout(d, 2, s)),
        ("temporal", static (d, _) => DataSplitter.Temporal(d, 0.2)),
        ("last", static (d, _) => DataSplitter.LeaveLastK(d, 1)),
    ];

    [Property(MaxTest = 60)]
    public bool EverySplit_PartitionsTheDataAndIsReproducible(ushort dataSeed, int users, int items, int perUser, ulong splitSeed)
    {
        var data = TestDatasets.Synthetic(dataSeed, users, items, perUser);
        foreach (var (_, split) in Splitters())
        {
            var first = split(data, splitSeed);
            if (!Partitions(data, first) || !SameSplit(first, split(data, splitSeed)))
            {
                return false;
            }
        }

        return true;
    }

    [Property(MaxTest = 40)]
    public bool KFold_TestSetsPartitionTheDataAndEachFoldPartitions(ushort dataSeed, int users, int items, int perUser, ulong splitSeed, byte folds)
    {
        var data = TestDatasets.Synthetic(dataSeed, users, items, perUser);
        var k = 2 + (folds % 5);
        var splits = DataSplitter.KFold(data, k, splitSeed);
        var allTests = splits.SelectMany(s => s.Test.EnumerateInteractions()).OrderBy(x => (x.UserId, x.ItemId));
        var again = DataSplitter.KFold(data, k, splitSeed);
        return splits.Count == k
            && allTests.SequenceEqual(Sorted(data))
            && splits.All(s => Partitions(data, s))
            && splits.Zip(again).All(p => SameSplit(p.First, p.Second));
    }

    [Property(MaxTest = 60)]
    public bool PerUserSplits_LeaveEveryUserInTraining(ushort dataSeed, int users, int items, int perUser, ulong splitSeed)
    {
        var data = TestDatasets.Synthetic(dataSeed, users, items, perUser);
        return new[]
        {
            DataSplitter.PerUserHoldout(data, 0.5, splitSeed),
            DataSplitter.PerUserHoldout(data, 100, splitSeed),
            DataSplitter.LeaveLastK(data, 100),
        }.All(split => split.Train.Users.Count == data.Users.Count);
    }

    [Property(MaxTest = 60)]
    public bool Temporal_EveryTrainingInteractionIsNoLaterThanEveryTestOne(ushort dataSeed, int users, int items, int perUser)
    {
        var data = TestDatasets.Synthetic(dataSeed, users, items, perUser);
        var split = DataSplitter.Temporal(data, 0.3);
        return split.Test.Count == 0 || split.Train.RowTimestamps.ToArray().Max() <= split.Test.RowTimestamps.ToArray().Min();
    }

    [Property(MaxTest = 60)]
    public bool LeaveLastK_HoldsOutEachUsersLatest(ushort dataSeed, int users, int items, int perUser)
    {
        var data = TestDatasets.Synthetic(dataSeed, users, items, perUser);
        var split = DataSplitter.LeaveLastK(data, 2);
        foreach (var user in split.Test.Users)
        {
            var t = split.Test.Users.IndexOf(user);
            var r = split.Train.Users.IndexOf(user);
            if (split.Train.GetUserTimestamps(r).ToArray().Max() > split.Test.GetUserTimestamps(t).ToArray().Min())
            {
                return false;
            }

            var total = data.GetUserItems(data.Users.IndexOf(user)).Length;
            if (split.Test.GetUserItems(t).Length != Math.Min(2, total - 1))
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void RandomHoldout_FractionIsRoundedToTheNearestRow()
    {
        var data = SyntheticDataGenerator.CreateDefault();

        var split = DataSplitter.RandomHoldout(data, 0.2, 1);

        Assert.Equal(20_000, split.Test.Count);
        Assert.Equal(80_000, split.Train.Count);
        Assert.Equal("random:0.2 seed 1", split.Description);
    }

    [Fact]
    public void PerUserHoldout_ByCount_HoldsOutThatManyPerUser()
    {
        var data = TestDatasets.From(("a", "1", 1, 1), ("a", "2", 1, 2), ("a", "3", 1, 3), ("b", "1", 1, 1));

        var split = DataSplitter.PerUserHoldout(data, 2, 9);

        Assert.Equal(2, split.Test.Count);
        Assert.Equal(["a"], split.Test.Users);
        Assert.Equal(2, split.Train.Count);
    }

    [Fact]
    public void Temporal_TiesAreBrokenByRow()
    {
        var data = TestDatasets.From(("a", "1", 1, 5), ("a", "2", 2, 5), ("b", "1", 3, 5), ("b", "2", 4, 5));

        var split = DataSplitter.Temporal(data, 0.5);

        Assert.Equal([new Interaction("b", "1", 3, 5), new Interaction("b", "2", 4, 5)], split.Test.EnumerateInteractions());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void RandomHoldout_FractionOutsideOpenUnitInterval_Throws(double fraction)
    {
        var data = TestDatasets.From(("a", "1", 1, 1));

        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplitter.RandomHoldout(data, fraction, 1));
    }
}
