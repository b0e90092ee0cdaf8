using System.ComponentModel.DataAnnotations;
using Recsys.Baselines;
using Recsys.Data;
using Recsys.Evaluation;

namespace Recsys.Factorization.Tests.Baselines;

public sealed class BaselineTests
{
    [Fact]
    public void Baseline_OneEpoch_MatchesClosedForm()
    {
        // μ = 3. One epoch, λi = 1, λu = 2: b_i first with b_u = 0, then b_u with the new b_i.
        var data = TestDatasets.From(("a", "x", 5, 1), ("a", "y", 1, 1), ("b", "x", 3, 1));
        var model = new BaselineTrainer(new BaselineOptions { Epochs = 1, ItemRegularization = 1, UserRegularization = 2 }).Fit(data);

        var bx = ((5 - 3) + (3 - 3)) / (1.0 + 2);
        var by = (1 - 3) / (1.0 + 1);
        var ba = ((5 - 3 - bx) + (1 - 3 - by)) / (2.0 + 2);
        var bb = (3 - 3 - bx) / (2.0 + 1);
        Assert.Equal(3 + ba + bx, model.Predict("a", "x"), 5);
        Assert.Equal(3 + bb + by, model.Predict("b", "y"), 5);
        Assert.Equal(3 + bx, model.Predict("stranger", "x"), 5);
        Assert.Equal(3 + ba, model.Predict("a", "unknown"), 5);
        Assert.Equal(3, model.Predict("stranger", "unknown"), 5);
    }

    [Fact]
    public void Baseline_PredictionsAreClampedToTheTrainingRange()
    {
        var data = TestDatasets.From(("a", "x", 5, 1), ("a", "y", 5, 1), ("b", "x", 5, 1), ("c", "z", 1, 1));
        var model = new BaselineTrainer(new BaselineOptions { ItemRegularization = 0, UserRegularization = 0 }).Fit(data);

        for (var u = -1; u < data.Users.Count; u++)
        {
            for (var i = -1; i < data.Items.Count; i++)
            {
                Assert.InRange(model.Predict(u, i), 1f, 5f);
            }
        }
    }

    [Fact]
    public void PredictBatch_MatchesSinglePredictions()
    {
        var data = TestDatasets.Synthetic(5, 20, 30, 10);
        var model = new BaselineTrainer().Fit(data);
        int[] users = [0, -1, 3, 19 % data.Users.Count];
        int[] items = [-1, 2, 4, 0];
        var batch = new float[4];

        model.Predict(users, items, batch);

        Assert.Equal(users.Zip(items, model.Predict), batch);
        Assert.Throws<ArgumentException>(() => model.Predict(users, items.AsSpan(1), batch));
    }

    [Fact]
    public void GlobalMean_PredictsTheMeanEverywhere()
    {
        var data = TestDatasets.From(("a", "x", 5, 1), ("b", "y", 2, 1));
        var model = new GlobalMeanTrainer().Fit(data);

        Assert.Equal(3.5f, model.Predict("a", "x"));
        Assert.Equal(3.5f, model.Predict("zz", "zz"));
        Assert.Equal(GlobalMeanTrainer.Name, model.Algorithm);
    }

    [Fact]
    public void PopularityPositive_CountsOnlyRatingsAtTheThreshold()
    {
        var data = TestDatasets.From(("a", "x", 5, 1), ("b", "x", 2, 1), ("c", "x", 1, 1), ("a", "y", 4, 1), ("b", "y", 4, 1), ("d", "z", 3, 1));
        var byCount = new PopularityTrainer().Fit(data).Recommend("new", 3);
        var byPositive = new PopularityTrainer(new PopularityOptions { Kind = PopularityKind.PositiveCount }).Fit(data).Recommend("new", 3);

        Assert.Equal(["x", "y", "z"], byCount.Select(r => r.ItemId));
        Assert.Equal(["y", "x", "z"], byPositive.Select(r => r.ItemId));
        Assert.Equal([2f, 1f, 0f], byPositive.Select(r => r.Score));
    }

    [Fact]
    public void Fit_EmptyDataset_ThrowsForEveryAlgorithm()
    {
        foreach (var name in RecommenderAlgorithms.Names)
        {
            var error = Assert.Throws<ArgumentException>(() => RecommenderAlgorithms.Create(name, null, HoldoutValidator.Default).Fit(InteractionDataset.Empty));
            Assert.Contains("no interactions", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Fit_Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => new BaselineTrainer().Fit(TestDatasets.Synthetic(1, 5, 5, 5), cancelled.Token));
    }

    [Fact]
    public void Options_OutOfRange_AreRejectedWithoutDependencyInjection()
    {
        var error = Assert.Throws<ValidationException>(() => new BaselineTrainer(new BaselineOptions { Epochs = 0 }));
        Assert.Contains("Epochs", error.Message, StringComparison.Ordinal);
        Assert.Throws<ValidationException>(() => new PopularityTrainer(new PopularityOptions { Kind = (PopularityKind)9 }));
    }

    [Fact]
    public void Create_UnknownAlgorithm_ListsTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => RecommenderAlgorithms.Create("svd++"));

        Assert.Contains("Unknown algorithm 'svd++'", error.Message, StringComparison.Ordinal);
        Assert.Contains("baseline", error.Message, StringComparison.Ordinal);
    }
}
