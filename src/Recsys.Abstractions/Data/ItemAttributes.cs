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
