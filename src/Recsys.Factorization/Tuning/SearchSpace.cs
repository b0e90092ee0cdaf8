namespace Recsys.Tuning;

/// <summary>
/// A hyper-parameter search: which <see cref="Recommenders.AlgorithmSettings"/> to vary (by property name, for
/// example <c>Regularization</c>, <c>Rank</c>, <c>Neighbors</c>), how, and within what budget.
/// </summary>
public sealed class SearchSpace
{
    /// <summary>Gets or sets how trials are chosen.</summary>
    public SearchStrategy Strategy { get; set; } = SearchStrategy.Random;

    /// <summary>Gets the parameters to vary, by <see cref="Recommenders.AlgorithmSettings"/> property name (case-insensitive).</summary>
    public IDictionary<string, ParameterRange> Parameters { get; } = new Dictionary<string, ParameterRange>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the most trials to run (a grid larger than this is sampled down to it, evenly).</summary>
    public int MaxTrials { get; set; } = 20;

    /// <summary>Gets or sets the wall-clock budget: no trial starts after it has passed (running ones finish); <see langword="null"/> for none.</summary>
    public TimeSpan? TimeBudget { get; set; }

    /// <summary>Gets or sets the share of the training data held out to score the trials (carved from the training part, never the test part).</summary>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>
    /// Gets or sets the metric the trials are ranked by (a <see cref="Recsys.Evaluation.MetricCatalog"/> name);
    /// <see langword="null"/> uses rmse for a rating model and ndcg_at_k for a ranking model.
    /// </summary>
    public string? Metric { get; set; }

    /// <summary>Gets or sets the seed of the random draws and of the validation split.</summary>
    public ulong Seed { get; set; } = 42;
}

/// <summary>How a <see cref="SearchSpace"/> chooses its trials.</summary>
public enum SearchStrategy
{
    /// <summary>Independent random draws from each parameter's range or values.</summary>
    Random,

    /// <summary>Every combination of the parameters' values (ranges give <see cref="ParameterRange.GridPoints"/> points).</summary>
    Grid,
}

/// <summary>The values one hyper-parameter may take.</summary>
public sealed class ParameterRange
{
    /// <summary>Gets or sets the explicit values (when set, <see cref="Min"/> and <see cref="Max"/> are not used).</summary>
    public IList<double>? Values { get; set; }

    /// <summary>Gets or sets the lowest value of a range.</summary>
    public double? Min { get; set; }

    /// <summary>Gets or sets the highest value of a range.</summary>
    public double? Max { get; set; }

    /// <summary>Gets or sets a value indicating whether the range is searched on a log scale (for regularization and learning rates).</summary>
    public bool Log { get; set; }

    /// <summary>Gets or sets how many evenly spaced points a range gives a grid search.</summary>
    public int GridPoints { get; set; } = 5;

    /// <summary>Creates a range.</summary>
    /// <param name="min">The lowest value.</param>
    /// <param name="max">The highest value.</param>
    /// <param name="log">Whether to search on a log scale.</param>
    /// <returns>The range.</returns>
    public static ParameterRange Between(double min, double max, bool log = false) => new() { Min = min, Max = max, Log = log };

    /// <summary>Creates a set of values.</summary>
    /// <param name="values">The values.</param>
    /// <returns>The range.</returns>
    public static ParameterRange Of(params double[] values) => new() { Values = values };
}
