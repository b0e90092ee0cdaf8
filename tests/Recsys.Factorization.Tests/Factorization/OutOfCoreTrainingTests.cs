using FsCheck.Xunit;
using Recsys.Data;
using Recsys.Evaluation;

namespace Recsys.Factorization.Tests.Factorization;

/// <summary>Training beyond memory: the spool's block files, <see cref="BiasedMatrixFactorizationTrainer.FitToFile"/> and the model file it writes.</summary>
public sealed class OutOfCoreTrainingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("recsys-ooc-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// An epoch over the block files visits every distinct (user, item) once, with the value read last for a
    /// duplicated pair (what a dataset built from the same rows keeps), each in the block of its user's and its item's
    /// group; the blocks of a round share no group; the per-user counts and the value statistics are the dataset's.
    /// </summary>
    [Property(MaxTest = 30)]
    public bool Epoch_VisitsEveryDistinctRatingOnce_WithTheValueReadLast(ushort seed, byte users, byte items, byte chunkBits, byte threads)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, 1 + random.Next(400))
            .Select(_ => ($"u{random.Next(1 + (users % 70))}", $"i{random.Next(1 + (items % 50))}", (float)random.Next(1, 6)))
            .ToList();
        var expected = BuildDataset(rows);
        using var spool = Spool(rows, 1 + (chunkBits % 4));
        using var grid = SgdDiskGrid.Build(spool, _folder, 1 + (threads % 3), stride: 8, seed, CancellationToken.None);

        var visits = new Dictionary<(int User, int Item), (float Value, int Count)>();
        var itemGroupOf = new Dictionary<int, int>();
        var userGroupOf = new Dictionary<int, int>();
        var rounds = new List<(int UserGroup, int ItemGroup)>();
        grid.RunEpoch(0, (userGroup, itemGroup) =>
        {
            lock (rounds)
            {
                rounds.Add((userGroup, itemGroup));
            }

            return grid.RunBlock(userGroup, itemGroup, 0, (_, first, counts, blockItems, values) =>
            {
                Visit(userGroup, itemGroup, first, counts, blockItems, values);
                return 0;
            });
        });

        void Visit(int userGroup, int itemGroup, int first, ReadOnlySpan<int> counts, ReadOnlySpan<int> blockItems, ReadOnlySpan<float> values)
        {
            lock (visits)
            {
                var row = 0;
                for (var u = 0; u < counts.Length; u++)
                {
                    var user = first + u;
                    Assert.Equal(userGroup, userGroupOf.TryAdd(user, userGroup) ? userGroup : userGroupOf[user]);
                    for (var end = row + counts[u]; row < end; row++)
                    {
                        var item = blockItems[row];
                        Assert.Equal(itemGroup, itemGroupOf.TryAdd(item, itemGroup) ? itemGroup : itemGroupOf[item]);
                        var key = (user, item);
                        visits[key] = visits.TryGetValue(key, out var seen) ? (seen.Value, seen.Count + 1) : (values[row], 1);
                    }
                }
            }
        }

        // Spool and dataset intern ids in the same order of first appearance.
        Assert.Equal(expected.Users, spool.Users);
        Assert.Equal(expected.Items, spool.Items);
        var want = Enumerable.Range(0, expected.Count).ToDictionary(r => (expected.RowUsers[r], expected.RowItems[r]), r => expected.GetValue(r));
        Assert.Equal(want.Count, visits.Count);
        foreach (var (key, value) in want)
        {
            Assert.Equal((value, 1), visits[key]);
        }

        var g = grid.Groups;
        Assert.All(rounds.Chunk(g), round =>
        {
            Assert.Equal(g, round.Select(b => b.UserGroup).Distinct().Count());
            Assert.Equal(g, round.Select(b => b.ItemGroup).Distinct().Count());
        });
        Assert.Equal(Enumerable.Range(0, expected.Users.Count).Select(u => expected.UserOffsets[u + 1] - expected.UserOffsets[u]), grid.SeenCounts);
        Assert.Equal(expected.Count, grid.Count);
        Assert.Equal(rows.Count - expected.Count, grid.DuplicatesDropped);
        Assert.Equal(expected.GlobalMean, grid.Sum / grid.Count, 1e-9);
        Assert.Equal(expected.MinValue, grid.MinValue);
        Assert.Equal(expected.MaxValue, grid.MaxValue);
        return true;
    }

    /// <summary>
    /// The disk grid cuts the same user and item groups as the in-memory grid and keeps each user's rows in item
    /// order, so a fit from disk makes the same updates in the same order: the same factors and biases, bit for bit,
    /// with one thread and with two (the blocks of a round share nothing, so their order between threads does not matter).
    /// </summary>
    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 4)]
    [InlineData(2, 16)]
    public void FitToFile_MakesTheUpdatesOfAFitInMemory_BitForBit(int threads, int chunkBits)
    {
        // Rebuilt from its rows, so that its items are indexed in order of first appearance, as a spool of the rows indexes them.
        var data = BuildDataset(Rows(new SyntheticDataGenerator(new SyntheticDataOptions { Users = 500, Items = 300, Interactions = 20_000, Seed = 8 }).GenerateDataset()));
        var trainer = new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Rank = 12, Epochs = 4, Threads = threads, Seed = 5 });
        var inMemory = ((FactorModel)trainer.Fit(data)).Parts;
        using var spool = Spool(Rows(data), chunkBits);
        var path = Path.Combine(_folder, "model.bin");

        trainer.FitToFile(spool, path);
        var fromDisk = Assert.IsType<FactorModel>(ModelFile.Load(path).Model);

        Assert.Equal(inMemory.Global, fromDisk.Parts.Global);
        Assert.Equal(inMemory.UserBias, fromDisk.Parts.UserBias);
        Assert.Equal(inMemory.ItemBias, fromDisk.Parts.ItemBias);
        Assert.Equal(inMemory.UserFactors, fromDisk.Parts.UserFactors);
        Assert.Equal(inMemory.ItemFactors, fromDisk.Parts.ItemFactors);
    }

    [Fact]
    public void FitToFile_OnMovieLens_IsAsAccurateAsInMemory_AndWritesTheSameTrainingItems()
    {
        var train = MovieLensDataset("splits/train-80.csv");
        var test = MovieLensDataset("splits/test-20.csv");
        var options = new MatrixFactorizationOptions { Threads = 2, Seed = 3 };
        var trainer = new BiasedMatrixFactorizationTrainer(options);
        var inMemory = (FactorModel)trainer.Fit(train);
        var path = Path.Combine(_folder, "model.bin");

        using var spool = Spool(Rows(train), chunkBits: 5);
        var fit = trainer.FitToFile(spool, path);
        var loaded = Assert.IsType<FactorModel>(ModelFile.Load(path).Model);

        Assert.Equal(20, fit.Groups);
        Assert.Equal(train.Count, fit.Ratings);
        var memoryRmse = Evaluator.EvaluateRatings(inMemory, test).Rmse;
        var diskRmse = Evaluator.EvaluateRatings(fit.Model, test).Rmse;
        Assert.Equal(memoryRmse, diskRmse); // the same updates (see above)
        Assert.Equal(diskRmse, Evaluator.EvaluateRatings(loaded, test).Rmse, 1e-12);

        // The file's training items, offsets, ids and value range are those of the model trained in memory.
        Assert.Equal(inMemory.Users, loaded.Users);
        Assert.Equal(inMemory.Items, loaded.Items);
        Assert.Equal(inMemory.Training.SeenOffsets, loaded.Training.SeenOffsets);
        Assert.True(inMemory.Training.SeenItems.SequenceEqual(loaded.Training.SeenItems));
        Assert.Equal(inMemory.Training.MinValue, loaded.Training.MinValue);
        Assert.Equal(inMemory.Training.MaxValue, loaded.Training.MaxValue);
        Assert.Equal(inMemory.Training.MeanValue, loaded.Training.MeanValue, 1e-9);

        // The loaded file recommends and leaves out what the user rated; the object returned by the fit refuses to.
        var destination = new ScoredItem[10];
        var count = loaded.Recommend(0, destination);
        Assert.Equal(10, count);
        Assert.DoesNotContain(destination, s => loaded.Training.Seen(0).Contains(s.Item));
        var refused = Assert.Throws<NotSupportedException>(() => fit.Model.Recommend(0, destination));
        Assert.Contains("ModelFile.Load", refused.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(_folder, "recsys-blocks-*"));
    }

    [Fact]
    public void FitToFile_Duplicates_KeepTheValueReadLast()
    {
        using var spool = Spool([("a", "x", 1f), ("b", "y", 3f), ("a", "x", 5f), ("b", "x", 2f)], chunkBits: 1);
        var path = Path.Combine(_folder, "model.bin");

        var fit = new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Rank = 4, Epochs = 2 }).FitToFile(spool, path);
        var loaded = Assert.IsType<FactorModel>(ModelFile.Load(path).Model);

        Assert.Equal(3, fit.Ratings);
        Assert.Equal(1, fit.DuplicatesDropped);
        Assert.Equal((5.0 + 3.0 + 2.0) / 3.0, loaded.Training.MeanValue, 1e-12);
        Assert.Equal([0, 1, 3], loaded.Training.SeenOffsets);
        Assert.Equal([0, 0, 1], loaded.Training.SeenItems.ToArray()); // a: x; b: x, y (sorted by item index)
    }

    [Fact]
    public void FitToFile_WithAValidationFraction_SaysWhyNot_AndWritesNothing()
    {
        using var spool = Spool([("a", "x", 1f)], chunkBits: 1);
        var path = Path.Combine(_folder, "model.bin");
        var trainer = new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { ValidationFraction = 0.1 });

        var error = Assert.Throws<NotSupportedException>(() => trainer.FitToFile(spool, path));

        Assert.Contains("ValidationFraction", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Spool_Dispose_DeletesOnlyItsOwnFolder()
    {
        var keep = Path.Combine(_folder, "keep.txt");
        File.WriteAllText(keep, "a user's file");
        var spool = Spool([("a", "x", 1f)], chunkBits: 1);
        var spoolFolder = spool.Directory;

        Assert.StartsWith(_folder, spoolFolder, StringComparison.Ordinal);
        spool.Dispose();

        Assert.False(Directory.Exists(spoolFolder));
        Assert.True(File.Exists(keep));
    }

    private static InteractionDataset MovieLensDataset(string file) =>
        InteractionReader.Read(MovieLensData.File(file), DelimitedFormat.MovieLensRatings, BadRowPolicy.Fail).Dataset;

    private static IEnumerable<(string User, string Item, float Value)> Rows(InteractionDataset data) =>
        Enumerable.Range(0, data.Count).Select(r => (data.Users[data.RowUsers[r]], data.Items[data.RowItems[r]], data.GetValue(r)));

    private static InteractionDataset BuildDataset(IEnumerable<(string User, string Item, float Value)> rows)
    {
        var builder = new InteractionDatasetBuilder();
        foreach (var (user, item, value) in rows)
        {
            builder.Add(user, item, value, 0);
        }

        return builder.Build();
    }

    private InteractionSpool Spool(IEnumerable<(string User, string Item, float Value)> rows, int chunkBits)
    {
        var spool = new InteractionSpool(_folder, chunkBits);
        foreach (var (user, item, value) in rows)
        {
            spool.Add(spool.AddUser(user), spool.AddItem(item), value);
        }

        spool.Complete();
        return spool;
    }
}
