namespace Recsys.Tuning;

/// <summary>One trial of a <see cref="HyperParameterSearch"/>.</summary>
/// <param name="Number">The trial's number, from 1 in the planned order.</param>
/// <param name="Parameters">The varied parameters' values, by name.</param>
/// <param name="Metric">The metric on the validation slice (NaN when the trial failed).</param>
/// <param name="Started">When it started.</param>
/// <param name="Duration">How long fitting and scoring took.</param>
/// <param name="Error">Why it failed, or <see langword="null"/>.</param>
public sealed record TrialResult(int Number, IReadOnlyDictionary<string, double> Parameters, double Metric, DateTimeOffset Started, TimeSpan Duration, string? Error)
{
    /// <summary>Gets the parameters as <c>name=value</c> pairs, in name order.</summary>
    /// <returns>For example <c>Neighbors=40, Shrinkage=100</c>.</returns>
    public string DescribeParameters() =>
        string.Join(", ", Parameters.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{p.Key}={p.Value:G6}")));
}

/// <summary>The outcome of a <see cref="HyperParameterSearch"/>.</summary>
/// <param name="Metric">The metric the trials were ranked by.</param>
/// <param name="HigherIsBetter">Whether a higher metric is better.</param>
/// <param name="Trials">Every trial run, in number order.</param>
/// <param name="Best">The best successful trial.</param>
/// <param name="Planned">How many trials were planned (more than ran when the time budget stopped the search).</param>
public sealed record SearchResult(string Metric, bool HigherIsBetter, IReadOnlyList<TrialResult> Trials, TrialResult Best, int Planned);
