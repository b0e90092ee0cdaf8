namespace Recsys.Registry;

/// <summary>A filter and page over registered models.</summary>
public sealed record ModelSearch
{
    /// <summary>Gets a substring the name must contain (ordinal, case-insensitive); <see langword="null"/> for any name.</summary>
    public string? NameContains { get; init; }

    /// <summary>Gets tags the model must have, each with exactly this value.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets how many matching models to skip.</summary>
    public int Skip { get; init; }

    /// <summary>Gets how many models to return at most; default 100.</summary>
    public int Take { get; init; } = 100;

    /// <summary>Whether <paramref name="model"/> passes the filter (the page aside).</summary>
    /// <param name="model">A model.</param>
    /// <returns><see langword="true"/> when the name and every tag match.</returns>
    public bool Matches(RegisteredModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (NameContains is not null && !model.Name.Contains(NameContains, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var (key, value) in Tags)
        {
            if (!model.Tags.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
