using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Retraining;

/// <summary>
/// A served model judged as users meet it: its stored artifact as is, with each user's whole known history (the
/// evaluation's training part: its own training data plus every interaction since) excluded from the lists and, where
/// the model folds histories in, the interactions it did not learn folded in, as the serving host does. Users the model
/// never saw answer from their history the same way (or with the model's cold-start list). The candidates it is compared with were trained on that history, so both sides exclude the same items.
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
        var historyItems = _history.GetUserItems(_historyUser[user]);
        var historyValues = _history.GetUserValues(_historyUser[user]);
        var items = new List<int>(historyItems.Length);
        var values = new List<float>(historyItems.Length);
        for (var k = 0; k < historyItems.Length; k++)
        {
            if (_historyItemToModel[historyItems[k]] is var item and >= 0)
            {
                excluded.Add(item);
                items.Add(item);
                values.Add(historyValues[k]);
            }
        }

        var served = new RecommendationFilter { ExcludeSeen = true, AllowedItems = filter.AllowedItems, ExcludedItems = excluded, ItemPredicate = filter.ItemPredicate, MinScore = filter.MinScore };

        // As the host serves it: the user's interactions the model did not learn are folded in where the model can.
        return _model is IFoldInRecommender { SupportsFoldIn: true } folding
            ? folding.RecommendFromHistory(ModelUser(user), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(items), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values), destination, served).Written
            : _model.Recommend(ModelUser(user), destination, served);
    }

    private int ModelUser(int user) => user >= 0 && user < _model.Users.Count ? user : -1;
}
