namespace Recsys.Recommenders;

/// <summary>Restricts which items a top-N request may return. All conditions must hold.</summary>
public sealed class RecommendationFilter
{
    /// <summary>Gets a filter that only excludes the items the user interacted with in training.</summary>
    public static RecommendationFilter Default { get; } = new();

    /// <summary>Gets a filter that excludes nothing.</summary>
    public static RecommendationFilter None { get; } = new() { ExcludeSeen = false };

    /// <summary>Gets a value indicating whether the items the user interacted with in training are left out.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ExcludeSeen { get; init; } = true;

    /// <summary>Gets the only items that may be returned, or <see langword="null"/> for all items.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IReadOnlySet<int>? AllowedItems { get; init; }

    /// <summary>Gets items that must not be returned, or <see langword="null"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IReadOnlySet<int>? ExcludedItems { get; init; }

    /// <summary>Gets a predicate over item indices (for example, on item attributes) that returned items satisfy.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<int, bool>? ItemPredicate { get; init; }

    /// <summary>Gets the lowest score an item may have to be returned.</summary>
    /// <value>The default value is <see langword="null"/> (no bound).</value>
    public float? MinScore { get; init; }

    /// <summary>Returns whether an item passes the allow-list, deny-list and predicate (not the seen or score checks).</summary>
    /// <param name="item">The item index.</param>
    /// <returns><see langword="true"/> when the item may be returned.</returns>
    public bool Admits(int item) =>
        (AllowedItems is null || AllowedItems.Contains(item))
        && (ExcludedItems is null || !ExcludedItems.Contains(item))
        && (ItemPredicate is null || ItemPredicate(item));
}
