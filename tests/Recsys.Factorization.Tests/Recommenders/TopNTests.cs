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
