using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Neighborhood;
using Recsys.Recommenders;

namespace Recsys.Factorization.Tests.Recommenders;

/// <summary>
/// Fold-in computes a user's answer from a history without retraining: for a history the model was trained on, it
/// must give back (exactly, or nearly for iterative solvers) the list the model gives the trained user.
/// </summary>
public sealed class FoldInTests
{
    private static readonly Lazy<InteractionDataset> Data = new(() =>
        new SyntheticDataGenerator(new SyntheticDataOptions { Users = 300, Items = 200, Interactions = 15_000, Seed = 7 }).GenerateDataset());

    public static TheoryData<string, double> Algorithms => new()
    {
        // Exact: the scores are a function of the history (EASE's rows of B; the neighbours of the history).
        { "ease", 1.0 },
        { "knn-ranking", 1.0 },
        // The projection of a training row on V is its row of UΣ (up to the randomized SVD's accuracy).
        { "truncated-svd", 0.9 },
        // One exact user step against the trained items: the trained vector came from the same step one item update earlier.
        { "als-implicit", 0.9 },
        { "als", 0.9 },
        // SGD never solves the user step exactly; the ridge step lands near the trained vector.
        { "biased-mf", 0.8 },
    };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void RecommendFromHistory_AUnknownUserWithATrainedUsersHistory_GetsThatUsersList(string algorithm, double minimumOverlap)
    {
        var data = Data.Value;
        var model = (IFoldInRecommender)Train(algorithm, data);
        var overlap = 0.0;
        var users = 0;
        for (var u = 0; u < data.Users.Count; u += 15)
        {
            var items = data.GetUserItems(u).ToArray();
            var values = data.GetUserValues(u).ToArray();
            var filter = new RecommendationFilter { ExcludedItems = items.ToHashSet() };
            var trained = new ScoredItem[10];
            var folded = new ScoredItem[10];
            var written = model.Recommend(u, trained, filter);
            var (foldedWritten, foldedIn) = model.RecommendFromHistory(-1, items, values, folded, filter);

            Assert.True(foldedIn, $"user {u}'s history was not folded in");
            Assert.Equal(written, foldedWritten);
            overlap += trained.Take(written).Select(s => s.Item).Intersect(folded.Take(foldedWritten).Select(s => s.Item)).Count() / (double)written;
            users++;
            if (minimumOverlap == 1.0)
            {
                Assert.Equal(trained.Take(written).Select(s => s.Item), folded.Take(foldedWritten).Select(s => s.Item));
                Assert.All(Enumerable.Range(0, written), k => Assert.Equal(trained[k].Score, folded[k].Score, 1e-3f));
            }
        }

        Assert.True(overlap / users >= minimumOverlap, $"{algorithm}: mean top-10 overlap {overlap / users:F2} < {minimumOverlap}");
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void RecommendFromHistory_OnlyWhatTheModelLearned_AnswersAsRecommend(string algorithm, double minimumOverlap)
    {
        _ = minimumOverlap;
        var data = Data.Value;
        var model = (IFoldInRecommender)Train(algorithm, data);
        var expected = new ScoredItem[10];
        var actual = new ScoredItem[10];

        var written = model.Recommend(3, expected);
        var (foldedWritten, foldedIn) = model.RecommendFromHistory(3, data.GetUserItems(3), data.GetUserValues(3), actual);

        Assert.False(foldedIn);
        Assert.Equal(expected.Take(written), actual.Take(foldedWritten));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void RecommendFromHistory_AKnownUserRatesNewItems_TheirListChangesAndLeavesThemOut(string algorithm, double minimumOverlap)
    {
        _ = minimumOverlap;
        var data = Data.Value;
        var model = (IFoldInRecommender)Train(algorithm, data);
        var before = new ScoredItem[10];
        var after = new ScoredItem[10];
        model.Recommend(3, before);

        // User 3 rates the first items of their own list 5 stars: those leave the list (filter), the rest moves.
        var rated = before.Take(5).Select(s => s.Item).ToArray();
        var (written, foldedIn) = model.RecommendFromHistory(3, rated, [5f, 5f, 5f, 5f, 5f], after, new RecommendationFilter { ExcludedItems = rated.ToHashSet() });

        Assert.True(foldedIn);
        Assert.Equal(10, written);
        Assert.Empty(after.Select(s => s.Item).Intersect(rated));
        Assert.NotEqual(before.Skip(5).Select(s => s.Score), after.Take(5).Select(s => s.Score)); // the scores were recomputed
    }

    [Fact]
    public void RecommendFromHistory_AModelReadFromItsFile_FoldsInAsTheTrainedOne()
    {
        var data = Data.Value;
        foreach (var algorithm in new[] { "als-implicit", "truncated-svd", "biased-mf", "ease", "knn-ranking" })
        {
            var model = Train(algorithm, data);
            using var file = new MemoryStream();
            ModelFile.Write(file, model);
            file.Position = 0;
            var loaded = (IFoldInRecommender)ModelFile.Read(file).Model;
            var items = data.GetUserItems(9).ToArray();
            var values = data.GetUserValues(9).ToArray();
            var expected = new ScoredItem[10];
            var actual = new ScoredItem[10];

            ((IFoldInRecommender)model).RecommendFromHistory(-1, items, values, expected);
            var (_, foldedIn) = loaded.RecommendFromHistory(-1, items, values, actual);

            Assert.True(loaded.SupportsFoldIn && foldedIn, algorithm);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void RecommendFromHistory_NonPersonalizedModel_IsTheColdStartRanking()
    {
        var data = Data.Value;
        var model = (IFoldInRecommender)RecommenderAlgorithms.Create("popularity").Fit(data, CancellationToken.None);
        var expected = new ScoredItem[10];
        var actual = new ScoredItem[10];

        model.Recommend(-1, expected);
        var (_, foldedIn) = model.RecommendFromHistory(-1, data.GetUserItems(0), data.GetUserValues(0), actual);

        Assert.False(model.SupportsFoldIn || foldedIn);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void RecommendFromHistory_ImplicitHistoryBelowThePositiveThreshold_IsNotFoldedIn()
    {
        var model = (IFoldInRecommender)Train("als-implicit", Data.Value);

        var (_, foldedIn) = model.RecommendFromHistory(-1, [1, 2, 3], [1f, 2f, 3.5f], new ScoredItem[5]); // all below 4

        Assert.False(foldedIn);
    }

    private static IRecommender Train(string algorithm, InteractionDataset data) => algorithm switch
    {
        "knn-ranking" => new ItemKnnTrainer(new ItemKnnOptions { Purpose = ModelPurpose.Ranking, Similarity = ItemSimilarity.Cosine, PositiveThreshold = 3.5 }).Fit(data, CancellationToken.None),
        "ease" => new EaseTrainer(new EaseOptions { MinItemSupport = 1 }).Fit(data, CancellationToken.None),
        _ => RecommenderAlgorithms.Create(algorithm, new AlgorithmSettings { Rank = 16 }, HoldoutValidator.Default).Fit(data, CancellationToken.None),
    };
}
