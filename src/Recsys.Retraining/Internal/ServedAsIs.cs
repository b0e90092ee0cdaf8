using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Retraining;

/// <summary>
/// A served model judged as users meet it: its stored artifact as is, with each user's whole known history (the
/// evaluation's training part: its own training data plus every interaction since) excluded from the lists, as the
/// serving host excludes stored interactions. Users the model never saw but the history has answer with the model's
/// cold-start list. The candidates it is compared with were trained on that history, so both sides exclude the same items.
/// </summary>
internal sealed class ServedAsIs : IRecommender
{
    private readonly IRecommender _model;
    private readonly InteractionDataset _history;
    private readonly int[] _historyUser; // this map's user → the history's user, or -1
    private readonly int[] _historyItemToModel;

    public ServedAsIs(IRecommender model, InteractionDataset history)
    {
        _model = model;
        _history = history;
        var added = history.Users.Where(id => !model.Users.Contains(id));
        Users = IdMap.Create(model.Users.Concat(added));
        _historyUser = Users.MapTo(history.Users);
        _historyItemToModel = history.Items.MapTo(model.Items);
    }

    public string Algorithm => _model.Algorithm;

    public IdMap Users { get; }

    public IdMap Items => _model.Items;

    public float Predict(int user, int item) => _model.Predict(ModelUser(user), item);

    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> destination)
    {
        var mapped = new int[users.Length];
        for (var k = 0; k < users.Length; k++)
        {
            mapped[k] = ModelUser(users[k]);
        }

        _model.Predict(mapped, items, destination);
    }

    public int Recommend(int user, Span<ScoredItem> destination, RecommendationFilter? filter = null)
    {
        filter ??= RecommendationFilter.Default;
        if (!filter.ExcludeSeen || user < 0 || _historyUser[user] < 0)
        {
            return _model.Recommend(ModelUser(user), destination, filter);
        }

        var excluded = new HashSet<int>(filter.ExcludedItems ?? (IEnumerable<int>)[]);
        foreach (var item in _history.GetUserItems(_historyUser[user]))
        {
            if (_historyItemToModel[item] >= 0)
            {
                excluded.Add(_historyItemToModel[item]);
            }
        }

        return _model.Recommend(
            ModelUser(user),
            destination,
            new RecommendationFilter { ExcludeSeen = true, AllowedItems = filter.AllowedItems, ExcludedItems = excluded, ItemPredicate = filter.ItemPredicate, MinScore = filter.MinScore });
    }

    private int ModelUser(int user) => user >= 0 && user < _model.Users.Count ? user : -1;
}
