using Recsys.Data;

namespace Recsys.Factorization.Tests.Factorization;

[CollectionDefinition(nameof(MemoryPerRating), DisableParallelization = true)]
public sealed class MemoryPerRating;

/// <summary>
/// Guards the bytes a rating costs, the figure that decides whether 100 M ratings fit in 4 GB: the dataset keeps 20
/// (user, item, value, timestamp), and biased MF's fit allocates one 12-byte SGD entry a rating and nothing else per
/// rating (no row-index arrays, no copy of the user-item lists for the model). Run alone, so that the process-wide
/// allocation counter sees only this fit.
/// </summary>
[Collection(nameof(MemoryPerRating))]
public sealed class MemoryPerRatingTests
{
    private const int Ratings = 1_000_000;

    [Fact]
    public void Dataset_HoldsAtMost21BytesPerRating()
    {
        var options = new SyntheticDataOptions { Users = 10_000, Items = 2_000, Interactions = Ratings, Seed = 5 };
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var data = new SyntheticDataGenerator(options).GenerateDataset(TestContext.Current.CancellationToken);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        var perRating = (after - before) / (double)data.Count;
        Assert.InRange(perRating, 20, 21);
        GC.KeepAlive(data);
    }

    [Fact]
    public void BiasedMfFit_AllocatesAtMost13BytesPerRating()
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 10_000, Items = 2_000, Interactions = Ratings, Seed = 6 }).GenerateDataset(TestContext.Current.CancellationToken);
        var trainer = new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Rank = 8, Epochs = 1, Threads = 2 });
        _ = data.GlobalMean;

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var model = trainer.Fit(data);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // Per-user and per-item arrays (factors, biases, slots) are small next to a million ratings: (10,000 + 2,000)
        // rows of a few dozen floats, counted in the allowance.
        var perRowAllowance = (data.Users.Count + data.Items.Count) * 200L;
        var perRating = (allocated - perRowAllowance) / (double)data.Count;
        Assert.True(perRating <= 13, $"the fit allocated {allocated:N0} bytes, {perRating:F2} a rating beyond the per-row allowance");
        Assert.Equal(data.Count, ((Recsys.Recommenders.FactorModel)model).Training.SeenItems.Length);
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
