using FsCheck.Xunit;
using Recsys.Data;

namespace Recsys.Factorization.Tests.Factorization;

public sealed class SgdGridTests
{
    /// <summary>
    /// An epoch's blocks, read as the trainer reads them (each user group's users, each user's run for the item
    /// group), cover every row not excluded exactly once, each row in the block of its user's and its item's group, and
    /// the blocks of one round share no user group and no item group.
    /// </summary>
    [Property(MaxTest = 40)]
    public bool Epoch_VisitsEveryIncludedRowOnce_InItsUsersAndItemsBlock(ushort seed, byte users, byte items, byte threads, bool exclude)
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions
        {
            Seed = seed,
            Users = 2 + (users % 60),
            Items = 2 + (items % 80),
            Interactions = (2 + (users % 60)) * Math.Min(5, 2 + (items % 80)),
        }).GenerateDataset();
        var random = new Random(seed);
        var excluded = exclude ? Enumerable.Range(0, data.Count).Where(_ => random.NextDouble() < 0.2).ToArray() : [];
        var grid = new SgdGrid(data, excluded, 1 + (threads % 4), stride: 8, seed);

        var visits = new int[data.Count];
        var itemGroupOf = Enumerable.Repeat(-1, data.Items.Count).ToArray();
        var rounds = new List<(int UserGroup, int ItemGroup)>();
        grid.RunEpoch(0, (userGroup, itemGroup) =>
        {
            lock (rounds)
            {
                rounds.Add((userGroup, itemGroup));
            }

            var (first, last) = grid.Users(userGroup);
            for (var user = first; user < last; user++)
            {
                var (start, end) = grid.Rows(user, itemGroup);
                for (var row = start; row < end; row++)
                {
                    Assert.True(row >= data.UserOffsets[user] && row < data.UserOffsets[user + 1], $"row {row} is not user {user}'s");
                    var before = Interlocked.CompareExchange(ref itemGroupOf[data.RowItems[row]], itemGroup, -1);
                    Assert.True(before == -1 || before == itemGroup, $"item {data.RowItems[row]} is in item groups {before} and {itemGroup}");
                    if (grid.Excluded is not { } bits || (bits[row >> 6] & (1UL << row)) == 0)
                    {
                        Interlocked.Increment(ref visits[row]);
                    }
                }
            }

            return 0;
        });

        var groups = (int)Math.Sqrt(rounds.Count);
        var perRound = rounds.Chunk(groups).All(round =>
            round.Select(b => b.UserGroup).Distinct().Count() == groups && round.Select(b => b.ItemGroup).Distinct().Count() == groups);
        var excludedSet = excluded.ToHashSet();
        var seenGroups = itemGroupOf.Where(g => g >= 0).ToArray();
        var contiguous = seenGroups.Zip(seenGroups.Skip(1)).All(p => p.First <= p.Second); // item groups are index ranges
        return groups * groups == rounds.Count
            && contiguous
            && rounds.Distinct().Count() == rounds.Count
            && perRound
            && Enumerable.Range(0, data.Count).All(row => visits[row] == (excludedSet.Contains(row) ? 0 : 1));
    }

    [Fact]
    public void Cut_GivesContiguousRangesOfAboutEqualCounts()
    {
        long[] counts = [50, 1, 1, 1, 10, 10, 10, 10, 5, 5, 5, 5, 0, 0, 7];

        var starts = SgdGrid.Cut(counts, 4);

        Assert.Equal(5, starts.Length);
        Assert.Equal(0, starts[0]);
        Assert.Equal(counts.Length, starts[^1]);
        Assert.True(starts.Zip(starts.Skip(1)).All(p => p.First <= p.Second));
        Assert.Equal([0, 1, 5, 8, 15], starts); // of 120: the first index outweighs a quarter (30) alone; then 63 ≥ 60, 93 ≥ 90
    }
}
