using FsCheck.Xunit;
using Recsys.Data;
using Recsys.Evaluation;

namespace Recsys.Factorization.Tests.Recommenders;

/// <summary>
/// The unknown-item rule (the global mean plus the user's bias where the model has one, never the clamp minimum)
/// and the one cold-start policy (popularity) for every built-in algorithm.
/// </summary>
public sealed class UnknownPairTests
{
    private static AlgorithmSettings Small => new() { Rank = 4, Epochs = 3, Threads = 1, Seed = 5 };

    public static TheoryData<string> Algorithms => [.. RecommenderAlgorithms.Names];

    [Property(MaxTest = 30)]
    public bool Predict_UnknownItem_IsNeverTheClampMinimum(ushort seed, byte algorithm, byte user)
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Seed = seed, Users = 30, Items = 40, Interactions = 500 }).GenerateDataset();
        var name = RecommenderAlgorithms.Names[algorithm % RecommenderAlgorithms.Names.Count];
        var model = RecommenderAlgorithms.Create(name, Small, HoldoutValidator.Default).Fit(data);
        var u = user % (data.Users.Count + 1) - 1; // -1 (unknown) … the last user

        var prediction = model.Predict(u, -1);

        // A rating model predicts at least near the mean; a preference model (implicit ALS) says "no preference" (0).
        return float.IsFinite(prediction) && prediction != data.MinValue
            && (RecommenderAlgorithms.PurposeOf(name) == ModelPurpose.Ranking && prediction == 0 || Math.Abs(prediction - data.GlobalMean) < 2.5);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Predict_UnknownItemForAUserWithoutBiases_IsTheTrainingMean(string name)
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Seed = 3, Users = 50, Items = 60, Interactions = 1_500 }).GenerateDataset();
        var model = RecommenderAlgorithms.Create(name, Small, HoldoutValidator.Default).Fit(data);

        var unknownBoth = model.Predict(-1, -1);

        if (name is "als-implicit" or "ease" or "item-knn")
        {
            Assert.Equal(0f, unknownBoth); // preference scores: no preference
        }
        else
        {
            // A blend is intercept + Σ w·(component's mean): near the mean, not exactly it.
            Assert.Equal(data.GlobalMean, unknownBoth, name == "blend" ? 0.5 : 0.05);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Recommend_UnknownUser_IsThePopularityRanking(string name)
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Seed = 4, Users = 60, Items = 80, Interactions = 2_000 }).GenerateDataset();
        var model = RecommenderAlgorithms.Create(name, Small, HoldoutValidator.Default).Fit(data);
        var counts = new int[data.Items.Count];
        foreach (var item in data.RowItems)
        {
            counts[item]++;
        }

        var result = model.Recommend(new RecommendationRequest { UserId = "nobody", Count = 10 });

        Assert.True(result.ColdStart);
        if (name is "popularity-positive" or "global-mean")
        {
            return; // non-personalized models give everyone their own ranking
        }

        var expected = Enumerable.Range(0, counts.Length).OrderByDescending(i => counts[i]).ThenBy(i => i).Take(10).ToArray();
        Assert.Equal(expected, result.Items.Select(x => x.Item));
        if (name != "popularity")
        {
            Assert.Equal(1f, result.Items[0].Score); // a share of the most popular item's count
        }
    }

    [Fact]
    public void Recommend_ExcludesHistoryAndTrainingItems_ForKnownAndUnknownUsers()
    {
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Seed = 6, Users = 40, Items = 50, Interactions = 800 }).GenerateDataset();
        var model = RecommenderAlgorithms.Create("als-implicit", Small).Fit(data);
        var user = data.Users[0];
        var first = model.Recommend(new RecommendationRequest { UserId = user, Count = 5 }).Items;
        var posted = new[] { data.Items[first[0].Item], data.Items[first[1].Item] };

        var known = model.Recommend(new RecommendationRequest { UserId = user, Count = 48, History = posted });
        var cold = model.Recommend(new RecommendationRequest { UserId = "new-user", Count = 48, History = posted });

        var training = data.GetUserItems(0).ToArray();
        Assert.DoesNotContain(known.Items, x => training.Contains(x.Item) || posted.Contains(data.Items[x.Item]));
        Assert.DoesNotContain(cold.Items, x => posted.Contains(data.Items[x.Item]));
        Assert.Contains(model.Recommend(new RecommendationRequest { UserId = user, Count = 48, History = posted, ExcludeSeen = false }).Items, x => posted.Contains(data.Items[x.Item]));
    }
}
