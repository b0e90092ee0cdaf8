namespace Recsys.Data;

/// <summary>Descriptive attributes of one item, used for display and for attribute filters.</summary>
/// <param name="Title">The item's title.</param>
/// <param name="Genres">The item's genres (or categories), possibly empty.</param>
public sealed record ItemAttributes(string Title, IReadOnlyList<string> Genres)
{
    /// <summary>Returns whether the item has a genre, compared case-insensitively.</summary>
    /// <param name="genre">The genre.</param>
    /// <returns><see langword="true"/> when the item has the genre.</returns>
    public bool HasGenre(string genre)
    {
        foreach (var g in Genres)
        {
            if (string.Equals(g, genre, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}

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
}
