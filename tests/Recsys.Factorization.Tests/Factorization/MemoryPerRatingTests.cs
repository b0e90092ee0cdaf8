using Recsys.Data;

namespace Recsys.Factorization.Tests.Factorization;

[CollectionDefinition(nameof(MemoryPerRating), DisableParallelization = true)]
public sealed class MemoryPerRating;

/// <summary>
/// Guards the bytes a rating costs, the figures that decide whether 30 M ratings train within 1.5× LIBMF's memory and
/// 100 M within 4 GB: the dataset keeps 16 a rating (item, value, timestamp; the row's user comes from the offsets),
/// 8 when read without timestamps, and biased MF's fit allocates one 4-byte packed SGD key a rating (8 when the values
/// are not a few levels) and nothing else per rating (no row-index arrays, no copy of the user-item lists for the
/// model). Run alone, so that the process-wide allocation counter sees only this fit.
/// </summary>
[Collection(nameof(MemoryPerRating))]
public sealed class MemoryPerRatingTests
{
    private const int Ratings = 1_000_000;

    [Fact]
    public void Dataset_HoldsAtMost17BytesPerRating()
    {
        var options = new SyntheticDataOptions { Users = 10_000, Items = 2_000, Interactions = Ratings, Seed = 5 };
        Settle();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var data = new SyntheticDataGenerator(options).GenerateDataset(TestContext.Current.CancellationToken);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        // 16 bytes a rating; the lower bound leaves a byte for memory the process gives back meanwhile (the shared
        // array pools trim what earlier tests rented on a full collection: 15.66 was measured once in CI).
        var perRating = (after - before) / (double)data.Count;
        Assert.InRange(perRating, 15, 17);
        GC.KeepAlive(data);
    }

    [Fact]
    public async Task DatasetReadWithoutTimestamps_HoldsAtMost10BytesPerRating()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(Path.GetTempPath(), $"recsys-memory-{Guid.NewGuid():N}.csv");
        try
        {
            using (var output = File.CreateText(path))
            {
                new SyntheticDataGenerator(new SyntheticDataOptions { Users = 10_000, Items = 2_000, Interactions = Ratings, Seed = 7 }).WriteCsv(output, cancellationToken: ct);
            }

            var before = GC.GetTotalMemory(forceFullCollection: true);
            var data = (await InteractionSource.ReadAsync(path, new InteractionSourceOptions { ReadTimestamps = false }, ct)).Dataset;
            var after = GC.GetTotalMemory(forceFullCollection: true);

            // 8 bytes a rating, and the rows the reader reserved from the first block's line length (ids grow longer
            // further down the file, so it over-estimates): counted here, but never written, so never resident.
            var perRating = (after - before) / (double)data.Count;
            Assert.Equal(Ratings, data.Count);
            Assert.True(perRating is >= 8 and <= 10, $"the dataset holds {perRating:F2} bytes a rating");
            GC.KeepAlive(data);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(false, 5)] // half stars: 4-byte keys
    [InlineData(true, 9)] // 1,000 distinct values: keys and float values
    public void BiasedMfFit_AllocatesOnlyItsPackedRatingsPerRating(bool manyValues, double bytesPerRating)
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 10_000, Items = 2_000, Interactions = Ratings, Seed = 6 }).GenerateDataset(TestContext.Current.CancellationToken);
        if (manyValues)
        {
            var builder = new InteractionDatasetBuilder(data.Count);
            var users = data.RowUsers;
            for (var row = 0; row < data.Count; row++)
            {
                builder.Add(data.Users[users[row]], data.Items[data.RowItems[row]], data.RowValues[row] + ((row % 1000) / 10_000f), 0);
            }

            data = builder.BuildAndClear();
        }

        var trainer = new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Rank = 8, Epochs = 1, Threads = 2 });
        _ = data.GlobalMean;

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var model = trainer.Fit(data);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // Per-user and per-item arrays (factors, biases, slots) are small next to a million ratings: (10,000 + 2,000)
        // rows of a few dozen floats, counted in the allowance; the levels' hash set is a few kilobytes.
        var perRowAllowance = (data.Users.Count + data.Items.Count) * 200L;
        var perRating = (allocated - perRowAllowance) / (double)data.Count;
        Assert.True(perRating <= bytesPerRating, $"the fit allocated {allocated:N0} bytes, {perRating:F2} a rating beyond the per-row allowance");
        Assert.Equal(data.Count, ((Recsys.Recommenders.FactorModel)model).Training.SeenItems.Length);
    }

    // Full collections with the finalizers between them: what earlier tests left (and the pools' trimming, which runs
    // from a finalizer) is gone before a measurement starts.
    private static void Settle()
    {
        for (var k = 0; k < 2; k++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        GC.Collect();
    }
}

public sealed class GatherRowsTests
{
    [Fact]
    public void GatherRowsInPlace_IsTheSameAsACopyingGather()
    {
        var random = new Random(4);
        var slots = Enumerable.Range(0, 57).OrderBy(_ => random.Next()).ToArray();
        var rows = Enumerable.Range(0, 57 * 3).Select(static v => (float)v).ToArray();
        var expected = slots.SelectMany(s => rows.Skip(s * 3).Take(3)).ToArray();

        SgdState.GatherRowsInPlace(rows, 3, slots);

        Assert.Equal(expected, rows);
    }
}
