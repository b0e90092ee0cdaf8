using Recsys.Data;

namespace Recsys.Recommenders;

/// <summary>A model trained beyond memory, in this process: it predicts, but does not recommend (the users' training items, which recommendation excludes, are only in its file).</summary>
internal sealed class PredictionOnlyModel(FactorModel model) : IRecommender
{
    public string Algorithm => model.Algorithm;

    public IdMap Users => model.Users;

    public IdMap Items => model.Items;

    public float Predict(int user, int item) => model.Predict(user, item);

    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> destination) => model.Predict(users, items, destination);

    public int Recommend(int user, Span<ScoredItem> destination, RecommendationFilter? filter = null) =>
        throw new NotSupportedException("This model was trained from disk and keeps no training items in memory, so it cannot leave them out of a recommendation: load its model file (ModelFile.Load) to recommend.");
}
