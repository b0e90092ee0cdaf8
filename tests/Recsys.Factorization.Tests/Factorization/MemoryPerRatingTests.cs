using Recsys.Data;

namespace Recsys.Factorization.Tests.Factorization;

[CollectionDefinition(nameof(MemoryPerRating), DisableParallelization = true)]
public sealed class MemoryPerRating;

/// <summary>
/// Guards the bytes a rating costs, the figures that decide whether a fit stays within LIBMF's memory (12 bytes a
/// rating and the factors): the dataset keeps 16 a rating (item, value, timestamp; the row's user comes from the
/// offsets), 5 when read without timestamps from a source of few distinct values (item and a byte indexing the
/// values), and biased MF's fit allocates nothing per rating (its SGD blocks are runs of the dataset's rows: no copy of
/// the ratings, no row-index arrays, no copy of the user-item lists for the model). Run alone, so that the
/// process-wide allocation counter sees only this fit.
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
    public async Task DatasetReadWithoutTimestamps_HoldsAtMost7BytesPerRating()
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

            // 5 bytes a rating (half stars are 10 levels), and the rows the reader reserved from the first block's line
            // length (ids grow longer further down the file, so it over-estimates): counted here, but never written, so
            // never resident.
            var perRating = (after - before) / (double)data.Count;
            Assert.Equal(Ratings, data.Count);
            Assert.True(perRating is >= 5 and <= 7, $"the dataset holds {perRating:F2} bytes a rating");
            Assert.Equal(3.5f, data.GetValue(data.RowValues.IndexOf(3.5f)));
            GC.KeepAlive(data);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(false)] // half stars
    [InlineData(true)] // 1,000 distinct values
    public void BiasedMfFit_AllocatesNothingPerRating(bool manyValues)
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

        // Per-user and per-item arrays (factors, biases, counts, the grid's row bounds) are small next to a million
        // ratings: (10,000 + 2,000) rows of a few dozen floats, counted in the allowance. A copy of the ratings would
        // be at least 4 bytes a rating.
        var perRowAllowance = (data.Users.Count + data.Items.Count) * 200L;
        var perRating = (allocated - perRowAllowance) / (double)data.Count;
        Assert.True(perRating <= 0.5, $"the fit allocated {allocated:N0} bytes, {perRating:F2} a rating beyond the per-row allowance");
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
