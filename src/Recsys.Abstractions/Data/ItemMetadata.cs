namespace Recsys.Data;

/// <summary>An immutable catalog of item attributes keyed by item identifier.</summary>
public sealed class ItemMetadata
{
    private readonly Dictionary<string, ItemAttributes> _items;

    /// <summary>Initializes a new instance of the <see cref="ItemMetadata"/> class.</summary>
    /// <param name="items">The attributes by item identifier.</param>
    public ItemMetadata(IEnumerable<KeyValuePair<string, ItemAttributes>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = new Dictionary<string, ItemAttributes>(items, StringComparer.Ordinal);
        Genres = _items.Values
            .SelectMany(static a => a.Genres)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToArray();
    }

    /// <summary>Gets the number of items described.</summary>
    public int Count => _items.Count;

    /// <summary>Gets every described item with its attributes, in the order they were given.</summary>
    public IEnumerable<KeyValuePair<string, ItemAttributes>> Entries => _items;

    /// <summary>Gets every distinct genre, sorted.</summary>
    public IReadOnlyList<string> Genres { get; }

    /// <summary>Looks up an item's attributes.</summary>
    /// <param name="itemId">The item identifier.</param>
    /// <param name="attributes">The attributes when found.</param>
    /// <returns><see langword="true"/> when the item is described.</returns>
    public bool TryGetAttributes(string itemId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ItemAttributes? attributes) =>
        _items.TryGetValue(itemId, out attributes);

    /// <summary>The attributes of every item of a model, by dense index (null where an item is not described).</summary>
    /// <param name="items">The model's items.</param>
    /// <returns>One entry per item.</returns>
    public ItemAttributes?[] ByIndex(IdMap items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var result = new ItemAttributes?[items.Count];
        for (var i = 0; i < result.Length; i++)
        {
            _items.TryGetValue(items[i], out result[i]);
        }

        return result;
    }

    /// <summary>
    /// The genre filter of a request: an item passes when it has one of <paramref name="include"/> (or the list is
    /// empty) and none of <paramref name="exclude"/>; an undescribed item passes only when nothing is included.
    /// </summary>
    /// <param name="attributes">The attributes by dense item index (<see cref="ByIndex"/>).</param>
    /// <param name="include">Genres of which an item must have one; empty for no constraint.</param>
    /// <param name="exclude">Genres an item must not have.</param>
    /// <returns>The predicate, or <see langword="null"/> when both lists are empty.</returns>
    public static Func<int, bool>? GenrePredicate(IReadOnlyList<ItemAttributes?> attributes, IReadOnlyList<string> include, IReadOnlyList<string> exclude)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        ArgumentNullException.ThrowIfNull(include);
        ArgumentNullException.ThrowIfNull(exclude);
        if (include.Count == 0 && exclude.Count == 0)
        {
            return null;
        }

        return item => attributes[item] is not { } a
            ? include.Count == 0
            : (include.Count == 0 || include.Any(a.HasGenre)) && !exclude.Any(a.HasGenre);
    }
}
