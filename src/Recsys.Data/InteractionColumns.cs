namespace Recsys.Data;

/// <summary>Which columns of a Parquet file or Delta table hold the user, the item, the value and the timestamp.</summary>
public sealed record InteractionColumns
{
    /// <summary>Gets the user column. The default is <c>userId</c>.</summary>
    public string User { get; init; } = "userId";

    /// <summary>Gets the item column, or <see langword="null"/> (the default) for <c>movieId</c>, else <c>itemId</c>.</summary>
    public string? Item { get; init; }

    /// <summary>Gets the value column. The default is <c>rating</c>; an empty name reads no value column and gives every interaction the value 1 (implicit feedback).</summary>
    public string Value { get; init; } = "rating";

    /// <summary>Gets the timestamp column (whole seconds since the Unix epoch, or a date or timestamp type). The default is <c>timestamp</c>; when the default is absent every timestamp is 0, and an empty name reads none.</summary>
    public string Timestamp { get; init; } = "timestamp";

    /// <summary>Parses <c>user=NAME,item=NAME,value=NAME,timestamp=NAME</c> (any subset, in any order) over the defaults.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The columns.</returns>
    /// <exception cref="FormatException">A part is not <c>key=name</c> or names an unknown key.</exception>
    public static InteractionColumns Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var columns = new InteractionColumns();
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"'{part}' is not key=column (keys: user, item, value, timestamp).");
            }

            var name = part[(equals + 1)..].Trim();
            var key = part[..equals].Trim().ToLowerInvariant();
            var role = key switch { "rating" => "value", "time" => "timestamp", _ => key };
            if (given.TryGetValue(role, out var earlier))
            {
                throw new FormatException($"The {role} column is given twice ('{earlier}' and '{part}'); give each key once.");
            }

            given[role] = part;
            columns = key switch
            {
                "user" => columns with { User = name },
                "item" => columns with { Item = name },
                "value" or "rating" => columns with { Value = name },
                "timestamp" or "time" => columns with { Timestamp = name },
                _ => throw new FormatException($"'{key}' is not a column key (keys: user, item, value, timestamp)."),
            };
        }

        if (columns.User.Length == 0 || columns.Item is { Length: 0 })
        {
            throw new FormatException("The user and item columns need a name.");
        }

        return columns;
    }
}
