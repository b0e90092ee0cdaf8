using System.ComponentModel.DataAnnotations;
using FsCheck.Xunit;
using Recsys.Data;

namespace Recsys.Data.Tests;

public sealed class SyntheticDataGeneratorTests
{
    [Fact]
    public void CreateDefault_GivesTheDocumentedShape()
    {
        var data = SyntheticDataGenerator.CreateDefault();

        Assert.Equal(100_000, data.Count);
        Assert.Equal(1_000, data.Users.Count);
        Assert.Equal(0, data.DuplicatesDropped);
        Assert.InRange(data.Items.Count, 1_900, 2_000);
    }

    [Fact]
    public void GenerateDataset_SameOptions_IdenticalData()
    {
        var options = new SyntheticDataOptions { Users = 300, Items = 500, Interactions = 20_000, Seed = 7 };

        var first = new SyntheticDataGenerator(options).GenerateDataset();
        var second = new SyntheticDataGenerator(options).GenerateDataset();
        var other = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 300, Items = 500, Interactions = 20_000, Seed = 8 }).GenerateDataset();

        Assert.Equal(first.EnumerateInteractions(), second.EnumerateInteractions());
        Assert.NotEqual(first.EnumerateInteractions(), other.EnumerateInteractions());
    }

    [Fact]
    public void GenerateDataset_RatingsAreHalfStarsBetweenHalfAndFive()
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 200, Items = 300, Interactions = 10_000 }).GenerateDataset();

        foreach (var value in data.RowValues)
        {
            Assert.InRange(value, 0.5f, 5f);
            Assert.Equal(value * 2, MathF.Round(value * 2));
        }

        Assert.InRange(data.GlobalMean, 3.0, 4.0);
    }

    [Fact]
    public void GenerateDataset_PopularityAndActivityFollowAPowerLaw()
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 1_000, Items = 2_000, Interactions = 100_000 }).GenerateDataset();

        var itemCounts = Enumerable.Range(0, data.Items.Count).Select(i => data.GetItemUsers(i).Length).OrderDescending().ToArray();
        var top10Percent = itemCounts.Take(itemCounts.Length / 10).Sum();
        Assert.True(top10Percent > 0.3 * data.Count, $"the top 10% of items hold {top10Percent} of {data.Count} interactions");

        var userCounts = Enumerable.Range(0, data.Users.Count).Select(u => data.GetUserItems(u).Length).Order().ToArray();
        Assert.True(userCounts[^1] > 5 * userCounts[userCounts.Length / 2], $"the most active user has {userCounts[^1]}, the median {userCounts[userCounts.Length / 2]}");
    }

    [Fact]
    public void GenerateDataset_DenseCornerCase_FillsEveryPair()
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 20, Items = 30, Interactions = 600 }).GenerateDataset();

        Assert.Equal(600, data.Count);
        Assert.Equal(0, data.DuplicatesDropped);
    }

    [Fact]
    public void Generate_ToSink_EmitsExactlyTheRequestedCountWithoutDuplicates()
    {
        var options = new SyntheticDataOptions { Users = 5_000, Items = 20_000, Interactions = 1_000_000, Seed = 3 };
        var sink = new CountingSink();

        new SyntheticDataGenerator(options).Generate(ref sink);

        Assert.Equal(1_000_000, sink.Count);
        Assert.True(sink.MaxUser < options.Users && sink.MaxItem < options.Items);
    }

    [Theory]
    [InlineData(0, 10, 10, "Users")]
    [InlineData(10, 10, 5, "Interactions (5) must be at least Users (10)")]
    [InlineData(10, 10, 101, "smaller than Interactions (101)")]
    public void Constructor_InvalidOptions_ThrowsNamingTheSetting(int users, int items, int interactions, string expected)
    {
        var error = Assert.Throws<ValidationException>(() =>
            new SyntheticDataGenerator(new SyntheticDataOptions { Users = users, Items = items, Interactions = interactions }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>What the generator writes as ratings.csv, the MovieLens reader reads back exactly.</summary>
    [Property(MaxTest = 30)]
    public bool WriteCsv_ThenReadRatings_RoundTrips(ushort seed, byte users, byte extraItems, byte density)
    {
        var options = new SyntheticDataOptions
        {
            Seed = seed,
            Users = 1 + (users % 40),
            Items = 1 + (extraItems % 60),
        };
        options.Interactions = Math.Max(options.Users, (int)((long)options.Users * options.Items * (1 + (density % 100)) / 100));
        var generator = new SyntheticDataGenerator(options);

        var text = new StringWriter();
        generator.WriteCsv(text);
        var read = InteractionReader.Read(new StringReader(text.ToString()), "synthetic.csv", DelimitedFormat.MovieLensRatings, BadRowPolicy.Fail);

        var expected = generator.GenerateDataset();
        return read.RowsSkipped == 0
            && read.DuplicatesDropped == 0
            && read.Dataset.Count == options.Interactions
            && read.Dataset.EnumerateInteractions().OrderBy(x => (x.UserId, x.ItemId)).SequenceEqual(
                expected.EnumerateInteractions().OrderBy(x => (x.UserId, x.ItemId)));
    }

    [Fact]
    public async Task WriteSplit_CsvAndParquet_HoldTheSameHeldOutShareOfTheSameData()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new SyntheticDataOptions { Users = 400, Items = 300, Interactions = 40_000, Seed = 3 };
        var folder = Directory.CreateTempSubdirectory("recsys-split-");
        try
        {
            string At(string name) => Path.Combine(folder.FullName, name);
            new SyntheticDataGenerator(options).WriteSplit(At("train.csv"), At("test.csv"), 0.1, cancellationToken: ct);
            new SyntheticDataGenerator(options).WriteSplit(At("train.parquet"), At("test.parquet"), 0.1, cancellationToken: ct);
            async Task<Interaction[]> Read(string name) =>
                [.. (await InteractionSource.ReadAsync(At(name), new InteractionSourceOptions(), ct)).Dataset.EnumerateInteractions().OrderBy(x => (x.UserId, x.ItemId))];

            var trainCsv = await Read("train.csv");
            var testCsv = await Read("test.csv");
            Assert.Equal(trainCsv, await Read("train.parquet"));
            Assert.Equal(testCsv, await Read("test.parquet"));

            // Together they are the data, each interaction once; the held-out share is the fraction's (40,000 draws:
            // 4,000 ± 4 standard deviations).
            var all = new SyntheticDataGenerator(options).GenerateDataset(ct).EnumerateInteractions().OrderBy(x => (x.UserId, x.ItemId));
            Assert.Equal(all, trainCsv.Concat(testCsv).OrderBy(x => (x.UserId, x.ItemId)));
            Assert.InRange(testCsv.Length, 3_760, 4_240);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void WriteSplit_RefusesAFractionWithoutAFileOrOutOfRange()
    {
        var generator = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 10, Items = 10, Interactions = 50 });
        var path = Path.Combine(Path.GetTempPath(), $"recsys-split-{Guid.NewGuid():N}.csv");

        Assert.Contains("needs a test file", Assert.Throws<ArgumentOutOfRangeException>(() => generator.WriteSplit(path, null, 0.1)).Message, StringComparison.Ordinal);
        Assert.Contains("less than 1", Assert.Throws<ArgumentOutOfRangeException>(() => generator.WriteSplit(path, path + ".test", 1)).Message, StringComparison.Ordinal);
        Assert.Contains("must differ", Assert.Throws<ArgumentException>(() => generator.WriteSplit(path, path, 0.1)).Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    private struct CountingSink : IInteractionSink
    {
        private HashSet<long>? _pairs;

        public int Count { get; private set; }

        public int MaxUser { get; private set; }

        public int MaxItem { get; private set; }

        public void Add(int user, int item, float value, long timestamp)
        {
            _pairs ??= [];
            Assert.True(_pairs.Add(((long)user << 32) | (uint)item), $"pair ({user}, {item}) emitted twice");
            Count++;
            MaxUser = Math.Max(MaxUser, user);
            MaxItem = Math.Max(MaxItem, item);
        }
    }
}
