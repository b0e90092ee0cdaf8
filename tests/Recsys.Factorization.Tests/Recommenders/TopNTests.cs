using FsCheck.Xunit;
using Recsys.Baselines;

namespace Recsys.Factorization.Tests.Recommenders;

public sealed class TopNTests
{
    /// <summary>The heap selection equals a full sort by (score descending, item ascending) of the admitted items.</summary>
    [Property(MaxTest = 300)]
    public bool Select_AnyScores_EqualsFullSortOfAdmittedItems(sbyte[] rawScores, byte count, int[] excluded, bool useAllowList, bool useMinScore)
    {
        // Few distinct scores, so ties are common.
        var scores = rawScores.Select(s => s % 7 == 0 ? float.NaN : (float)(s % 5)).ToArray();
        var excludedSet = excluded.Select(x => Math.Abs(x % Math.Max(1, scores.Length))).ToHashSet();
        var allowed = useAllowList ? Enumerable.Range(0, scores.Length).Where(i => i % 3 != 1).ToHashSet() : null;
        var filter = new RecommendationFilter
        {
            ExcludedItems = excludedSet,
            AllowedItems = allowed,
            ItemPredicate = static i => i % 11 != 5,
            MinScore = useMinScore ? 1f : null,
        };
        var n = count % 25;

        var destination = new ScoredItem[n];
        var written = TopN.Select(scores, destination, filter);

        var expected = Enumerable.Range(0, scores.Length)
            .Where(i => !float.IsNaN(scores[i]) && filter.Admits(i) && (!useMinScore || scores[i] >= 1f))
            .Select(i => new ScoredItem(i, scores[i]))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Item)
            .Take(n)
            .ToArray();
        return destination.Take(written).SequenceEqual(expected);
    }

    /// <summary>Selecting among some items (in any order) equals selecting over an array with NaN everywhere else.</summary>
    [Property(MaxTest = 300)]
    public bool SelectAmong_AnyOrder_EqualsSelectOverNaNElsewhere(sbyte[] rawScores, byte count, int seed, bool useMinScore)
    {
        var scores = rawScores.Select(s => s % 7 == 0 ? float.NaN : (float)(s % 5)).ToArray();
        var chosen = Enumerable.Range(0, scores.Length).Where(i => (i + seed) % 3 != 0).OrderBy(i => (i * 7919) ^ seed).ToArray();
        var sparse = Enumerable.Repeat(float.NaN, scores.Length).ToArray();
        foreach (var i in chosen)
        {
            sparse[i] = scores[i];
        }

        var filter = new RecommendationFilter { ItemPredicate = static i => i % 11 != 5, MinScore = useMinScore ? 1f : null };
        var n = count % 25;
        var expected = new ScoredItem[n];
        var actual = new ScoredItem[n];
        var e = TopN.Select(sparse, expected, filter);
        var a = TopN.SelectAmong(chosen, [.. chosen.Select(i => scores[i])], actual, filter);
        return a == e && actual.AsSpan(0, a).SequenceEqual(expected.AsSpan(0, e));
    }

    /// <summary>
    /// Selecting over scores kept in a permuted row order (the screen's descending-norm rows), only a prefix of the rows
    /// given, equals selecting over the item-ordered scores with NaN for the rows not given — ties included, where the
    /// lower item must win although it comes later in row order. Long enough arrays for the eight-wide skip to run.
    /// </summary>
    [Property(MaxTest = 300)]
    public bool SelectRows_PermutedPrefix_EqualsSelectOverItemOrder(sbyte[] rawScores, byte count, int seed, byte prefix, bool useAllowList, bool useMinScore)
    {
        var items = rawScores.Length * 3;
        var scores = Enumerable.Range(0, items).Select(i => rawScores[i % Math.Max(1, rawScores.Length)]).Select((s, i) => s % 7 == 0 ? float.NaN : (float)((s + i) % 4)).ToArray();
        var rowItems = Enumerable.Range(0, items).OrderBy(i => (i * 7919) ^ seed).ThenBy(i => i).ToArray();
        var given = items == 0 ? 0 : prefix % (items + 1);
        var rowScores = rowItems.Take(given).Select(i => scores[i]).ToArray();
        var byItem = Enumerable.Repeat(float.NaN, items).ToArray();
        foreach (var i in rowItems.Take(given))
        {
            byItem[i] = scores[i];
        }

        var filter = new RecommendationFilter
        {
            AllowedItems = useAllowList ? Enumerable.Range(0, items).Where(i => i % 3 != 1).ToHashSet() : null,
            ItemPredicate = static i => i % 11 != 5,
            MinScore = useMinScore ? 1f : null,
        };
        var n = count % 25;
        var expected = new ScoredItem[n];
        var actual = new ScoredItem[n];
        var e = TopN.Select(byItem, expected, filter);
        var a = TopN.SelectRows(rowScores, items == 0 ? [] : rowItems, actual, filter);
        return a == e && actual.AsSpan(0, a).SequenceEqual(expected.AsSpan(0, e));
    }

    /// <summary>
    /// Every score tied and the rows in descending item order: each later row beats the heap's worst on the tie (a
    /// lower item), in the eight-wide skip and in the scalar tail alike, so the lowest items are kept.
    /// </summary>
    [Theory]
    [InlineData(100)]
    [InlineData(103)]
    public void SelectRows_TiedScoresInDescendingItemOrder_KeepTheLowestItems(int items)
    {
        var rowItems = Enumerable.Range(0, items).Reverse().ToArray();
        var destination = new ScoredItem[10];

        var written = TopN.SelectRows(Enumerable.Repeat(1f, items).ToArray(), rowItems, destination, RecommendationFilter.None);

        Assert.Equal(Enumerable.Range(0, 10), destination.Take(written).Select(static x => x.Item));
    }

    /// <summary>
    /// Through a trained model: the list is sorted, unique, of the requested length when enough candidates exist,
    /// and never holds the user's training items or excluded items.
    /// </summary>
    [Property(MaxTest = 80)]
    public bool Recommend_TrainedModel_SortedUniqueFullAndFiltered(ushort seed, int users, int items, int perUser, byte count, int excludedItem)
    {
        var data = TestDatasets.Synthetic(seed, users, items, perUser);
        var model = new BaselineTrainer().Fit(data);
        var n = 1 + (count % 30);
        var excluded = new HashSet<int> { Math.Abs(excludedItem % data.Items.Count) };
        for (var user = -1; user < data.Users.Count; user++)
        {
            var seen = user >= 0 ? data.GetUserItems(user).ToArray().ToHashSet() : [];
            var buffer = new ScoredItem[n];
            var written = model.Recommend(user, buffer, new RecommendationFilter { ExcludedItems = excluded });
            var list = buffer.AsSpan(0, written).ToArray();
            var candidates = data.Items.Count - seen.Union(excluded).Count();
            if (written != Math.Min(n, candidates)
                || list.Select(x => x.Item).Distinct().Count() != written
                || list.Any(x => seen.Contains(x.Item) || excluded.Contains(x.Item)))
            {
                return false;
            }

            for (var j = 1; j < written; j++)
            {
                if (!TopN.Better(list[j - 1], list[j]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    [Fact]
    public void Recommend_ByIdentifier_UnknownUserGetsColdStartRanking()
    {
        var data = TestDatasets.From(("a", "x", 5, 1), ("b", "x", 4, 1), ("b", "y", 3, 1), ("c", "z", 1, 1));
        var model = new PopularityTrainer().Fit(data);

        var forStranger = model.Recommend("stranger", 2);
        var forB = model.Recommend("b", 5);

        Assert.Equal([new RecommendedItem("x", 2), new RecommendedItem("y", 1)], forStranger);
        Assert.Equal([new RecommendedItem("z", 1)], forB);
        Assert.Equal((float)data.GlobalMean, model.Predict("stranger", "nothing"));
    }

    [Fact]
    public void Recommend_UserIndexOutOfRange_Throws()
    {
        var model = new PopularityTrainer().Fit(TestDatasets.From(("a", "x", 5, 1)));

        Assert.Throws<ArgumentOutOfRangeException>(() => model.Recommend(1, new ScoredItem[3]));
    }

    [Fact]
    public void Recommend_ExcludeSeenOff_CanReturnTrainingItems()
    {
        var model = new PopularityTrainer().Fit(TestDatasets.From(("a", "x", 5, 1), ("b", "y", 5, 1)));

        var list = model.Recommend("a", 5, RecommendationFilter.None);

        Assert.Equal(["x", "y"], list.Select(x => x.ItemId));
    }
}
