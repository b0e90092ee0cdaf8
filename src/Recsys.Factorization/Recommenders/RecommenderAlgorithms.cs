using Recsys.Baselines;

namespace Recsys.Recommenders;

/// <summary>The built-in algorithms by name, each with its default settings.</summary>
public static class RecommenderAlgorithms
{
    private static readonly Dictionary<string, (string Description, Func<IRecommenderTrainer> Create)> Catalog =
        new(StringComparer.OrdinalIgnoreCase)
        {
            [GlobalMeanTrainer.Name] = ("the mean training rating for every pair", static () => new GlobalMeanTrainer()),
            [BaselineTrainer.Name] = ("regularized user and item biases (Surprise BaselineOnly, ALS)", static () => new BaselineTrainer()),
            [PopularityTrainer.Name] = ("items ranked by interaction count", static () => new PopularityTrainer()),
            [PopularityTrainer.PositiveName] = ("items ranked by count of ratings >= 4", static () => new PopularityTrainer(new PopularityOptions { Kind = PopularityKind.PositiveCount })),
        };

    /// <summary>Gets the names of the built-in algorithms, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Catalog.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Gets a one-line description of an algorithm.</summary>
    /// <param name="name">The algorithm name.</param>
    /// <returns>The description.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static string Describe(string name) => Lookup(name).Description;

    /// <summary>Creates a trainer for an algorithm with its default settings.</summary>
    /// <param name="name">The algorithm name (case-insensitive).</param>
    /// <returns>The trainer.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static IRecommenderTrainer Create(string name) => Lookup(name).Create();

    private static (string Description, Func<IRecommenderTrainer> Create) Lookup(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Catalog.TryGetValue(name, out var entry)
            ? entry
            : throw new ArgumentException($"Unknown algorithm '{name}'; known algorithms: {string.Join(", ", Names)}.", nameof(name));
    }
}
