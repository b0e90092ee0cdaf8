using FsCheck.Xunit;
using Recsys.Data;

namespace Recsys.Factorization.Tests.Recommenders;

/// <summary>
/// The item index of large catalogs (<see cref="FactorIndex"/>): with every list probed it returns exactly what
/// scoring every item returns (items, score bits, order) under every filter; with its calibrated probe it honours
/// filters and exclusion and finds most of the exact top 10; it survives the model file.
/// </summary>
public sealed class FactorIndexTests
{
    private const int Users = 40;

    [Property(MaxTest = 40)]
    public bool Recommend_EveryListProbed_EqualsFullPass(int seed, byte rankChoice, ushort extraItems, byte count, bool biases, bool ties, byte filterChoice)
    {
        var rank = (rankChoice % 3) switch { 0 => 16, 1 => 64, _ => 12 }; // 12: the kernel's scalar path
        var items = 3_000 + (extraItems % 1_000); // items % 4 varies: the partial last block
        var (plain, _) = Models(seed, rank, items, biases, ties);
        var exhaustive = WithIndex(plain, probeAll: true);
        var filter = Filter(filterChoice, items);
        var n = 1 + (count % 40);
        for (var user = 0; user < Users; user++)
        {
            var indexed = new ScoredItem[n];
            var written = exhaustive.Recommend(user, indexed, filter);
            if (!indexed.AsSpan(0, written).SequenceEqual(FullPass(plain, user, n, filter)))
            {
                return false;
            }
        }

        return true;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Recommend_CalibratedProbe_HonoursFiltersAndExclusion_AndReturnsAFullList(byte filterChoice)
    {
        var (plain, indexed) = Models(7, 32, 20_000, biases: true, ties: false);
        var filter = Filter(filterChoice, plain.Items.Count);
        Assert.True(indexed.Index!.Probe < indexed.Index.Lists, $"probe {indexed.Index.Probe} of {indexed.Index.Lists} lists");

        for (var user = 0; user < Users; user++)
        {
            var result = new ScoredItem[10];
            var written = indexed.Recommend(user, result, filter);
            var expected = FullPass(plain, user, 10, filter);

            Assert.Equal(expected.Length, written); // a narrow filter falls back to the exact scan, never a short list
            foreach (var item in result[..written].Select(r => r.Item))
            {
                Assert.True(filter.AllowedItems?.Contains(item) ?? true);
                Assert.False(filter.ExcludedItems?.Contains(item) ?? false);
                Assert.True(filter.ItemPredicate?.Invoke(item) ?? true);
                Assert.False(filter.ExcludeSeen && plain.Training.Seen(user).Contains(item), $"user {user} was recommended training item {item}");
            }

            // Scores are the exact scores, bit for bit (re-ranked from the model's own layout).
            var exact = new float[plain.Items.Count];
            plain.ScoreAll(user, exact);
            foreach (var r in result[..written])
            {
                Assert.Equal(exact[r.Item], r.Score);
            }
        }
    }

    [Fact]
    public void Recommend_CalibratedProbe_FindsTheExactTop10_ForUsersOutsideTheCalibrationSample()
    {
        var (plain, indexed) = Models(11, 32, 20_000, biases: true, ties: false, users: 600);
        var found = 0;
        for (var user = 0; user < 600; user++)
        {
            var result = new ScoredItem[10];
            indexed.Recommend(user, result, RecommendationFilter.None);
            found += result.Select(r => r.Item).Intersect(FullPass(plain, user, 10, RecommendationFilter.None).Select(r => r.Item)).Count();
        }

        Assert.InRange(found / 6000.0, 0.9, 1.0);
    }

    [Fact]
    public void ModelFile_KeepsTheIndex_AndTheSameAnswers()
    {
        var (_, indexed) = Models(3, 16, 5_003, biases: false, ties: false);
        using var file = new MemoryStream();
        ModelFile.Write(file, indexed);
        file.Position = 0;

        var read = (FactorModel)ModelFile.Read(file).Model;

        Assert.Equal(5, BitConverter.ToUInt16(file.GetBuffer(), 8)); // format version 5: a model with an index
        Assert.Equal(indexed.Index!.Probe, read.Index!.Probe);
        Assert.Equal(indexed.Index.ListItems, read.Index.ListItems);
        for (var user = 0; user < Users; user++)
        {
            var a = new ScoredItem[20];
            var b = new ScoredItem[20];
            Assert.Equal(indexed.Recommend(user, a), read.Recommend(user, b));
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void FromParts_ListsThatDoNotCoverTheItems_AreRefused()
    {
        var (_, indexed) = Models(5, 16, 4_000, biases: false, ties: false);
        var index = indexed.Index!;
        var items = index.ListItems.ToArray();
        items[1] = items[0];

        var error = Assert.Throws<ArgumentException>(() => FactorIndex.FromParts(16, index.Centroids, index.CentroidBias.ToArray(), index.ListCounts.ToArray(), items, index.Probe, indexed.Parts.ItemFactors, null));

        Assert.Contains($"lists item {items[0]} twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SmallCatalogs_GetNoIndex_LargeOnesDo()
    {
        Assert.False(FactorModel.IndexApplies(new FactorModelParts { Rank = 8, ColdScores = [] }, FactorIndex.MinItems - 1));
        Assert.True(FactorModel.IndexApplies(new FactorModelParts { Rank = 8, ColdScores = [] }, FactorIndex.MinItems));
        Assert.False(FactorModel.IndexApplies(new FactorModelParts { Rank = 8, ColdScores = [], NonPersonalized = true }, FactorIndex.MinItems));
    }

    private static RecommendationFilter Filter(byte choice, int items) => (choice % 5) switch
    {
        0 => RecommendationFilter.Default,
        1 => RecommendationFilter.None,
        2 => new RecommendationFilter { ExcludedItems = Enumerable.Range(0, items).Where(i => i % 3 == 0).ToHashSet() },
        3 => new RecommendationFilter { ItemPredicate = static i => i % 7 != 2 },
        _ => new RecommendationFilter { AllowedItems = Enumerable.Range(0, 5).Select(i => i * 97).ToHashSet() },
    };

    private static FactorModel WithIndex(FactorModel model, bool probeAll)
    {
        var p = model.Parts;
        var built = FactorIndex.Build(p.ItemFactors, p.ItemBias, p.Rank, p.UserFactors, FactorModel.IndexSeed);
        var index = FactorIndex.FromParts(p.Rank, built.Centroids, built.CentroidBias.ToArray(), built.ListCounts.ToArray(), built.ListItems, probeAll ? built.Lists : built.Probe, p.ItemFactors, p.ItemBias);
        return new FactorModel(model.Algorithm, model.Parameters, model.Training, new FactorModelParts
        {
            Global = p.Global,
            UserBias = p.UserBias,
            ItemBias = p.ItemBias,
            Rank = p.Rank,
            UserFactors = p.UserFactors,
            ItemFactors = p.ItemFactors,
            ColdScores = p.ColdScores,
            ClampPredictions = p.ClampPredictions,
            Index = index,
        });
    }

    // The same model without an index (below the catalog threshold: the exact screened scan) and with its calibrated index.
    private static (FactorModel Plain, FactorModel Indexed) Models(int seed, int rank, int items, bool biases, bool ties, int users = Users)
    {
        var random = new Random(seed);
        var userIds = IdMap.Create(Enumerable.Range(0, users).Select(u => $"u{u}"));
        var itemIds = IdMap.Create(Enumerable.Range(0, items).Select(i => $"i{i}"));
        var offsets = Enumerable.Range(0, users + 1).Select(u => u * 30).ToArray();
        var seen = new int[users * 30];
        for (var u = 0; u < users; u++)
        {
            Enumerable.Range(0, items).OrderBy(_ => random.Next()).Take(30).Order().ToArray().CopyTo(seen, u * 30);
        }

        // Clustered item factors with uneven norms, as trained ones are; integer values when ties are wanted.
        var centers = Enumerable.Range(0, 50).Select(_ => Enumerable.Range(0, rank).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();
        float Noise() => ties ? random.Next(-2, 3) : (float)((random.NextDouble() - 0.5) * 0.3);
        var itemFactors = new float[items * rank];
        for (var i = 0; i < items; i++)
        {
            var center = centers[random.Next(centers.Length)];
            var scale = ties ? 1 : (float)(0.2 + random.NextDouble());
            for (var f = 0; f < rank; f++)
            {
                itemFactors[(i * rank) + f] = ties ? Noise() : scale * (center[f] + Noise());
            }
        }

        var userFactors = Enumerable.Range(0, users * rank).Select(_ => ties ? (float)random.Next(-2, 3) : (float)(random.NextDouble() - 0.5)).ToArray();
        var parts = new FactorModelParts
        {
            Global = biases ? 0.25 : 0,
            UserBias = biases ? Enumerable.Range(0, users).Select(_ => Noise()).ToArray() : null,
            ItemBias = biases ? Enumerable.Range(0, items).Select(_ => Noise()).ToArray() : null,
            Rank = rank,
            UserFactors = userFactors,
            ItemFactors = itemFactors,
            ColdScores = new float[items],
            ClampPredictions = false,
        };
        var plain = new FactorModel("test", "{}", new TrainingFootprint(userIds, itemIds, offsets, seen, 0f, 1f, 0.5), parts);
        return (plain, WithIndex(plain, probeAll: false));
    }

    private static ScoredItem[] FullPass(FactorModel model, int user, int n, RecommendationFilter filter) => FactorScreenTests.FullPass(model, user, n, filter);
}
