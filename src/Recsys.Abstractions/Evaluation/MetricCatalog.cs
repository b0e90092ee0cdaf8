using System.Globalization;
using Recsys.Recommenders;

namespace Recsys.Evaluation;

/// <summary>
/// The metrics a version can carry in the registry, by their stable names: whether higher is better, and for which
/// <see cref="ModelPurpose"/> each means something. Promotion, the retraining flow and the CLI share this one table.
/// </summary>
public static class MetricCatalog
{
    private static readonly (string Name, ModelPurpose Purpose, bool HigherIsBetter, Func<EvaluationResult, double> Value)[] Entries =
    [
        ("rmse", ModelPurpose.RatingPrediction, false, static r => r.Rmse),
        ("mae", ModelPurpose.RatingPrediction, false, static r => r.Mae),
        ("precision_at_k", ModelPurpose.Ranking, true, static r => r.PrecisionAtK),
        ("recall_at_k", ModelPurpose.Ranking, true, static r => r.RecallAtK),
        ("ndcg_at_k", ModelPurpose.Ranking, true, static r => r.NdcgAtK),
        ("map_at_k", ModelPurpose.Ranking, true, static r => r.MapAtK),
        ("hit_rate_at_k", ModelPurpose.Ranking, true, static r => r.HitRateAtK),
        ("coverage", ModelPurpose.Ranking, true, static r => r.Coverage),
        ("test_size", ModelPurpose.None, true, static r => r.RatingCount),
    ];

    /// <summary>Gets the names of the catalogued metrics.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(static e => e.Name)];

    /// <summary>Reads a catalogued metric from an evaluation result.</summary>
    /// <param name="metric">The metric name (case-insensitive).</param>
    /// <param name="result">The evaluation result.</param>
    /// <returns>The value, or <see langword="null"/> when the catalog has no such metric.</returns>
    public static double? ValueOf(string metric, EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Find(metric) is { } entry ? entry.Value(result) : null;
    }

    /// <summary>Returns whether a higher value of a catalogued metric is better: false for the error metrics (RMSE, MAE), true for the others.</summary>
    /// <param name="metric">The metric name (case-insensitive).</param>
    /// <returns>Whether higher is better.</returns>
    /// <exception cref="ArgumentException">
    /// The catalog has no such metric: its direction cannot be guessed from its name, so whoever compares on it must
    /// declare it (<see cref="HigherIsBetter(string, bool?)"/>, a promotion policy's <c>HigherIsBetter</c>).
    /// </exception>
    public static bool HigherIsBetter(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return Find(metric) is { } entry
            ? entry.HigherIsBetter
            : throw new ArgumentException(
                $"'{metric}' is not a catalogued metric ({string.Join(", ", Names)}), so which way is better is not known; declare it (a promotion policy's HigherIsBetter).",
                nameof(metric));
    }

    /// <summary>Returns whether a higher value of a metric is better, unless the caller declared it (a policy's override).</summary>
    /// <param name="metric">The metric name.</param>
    /// <param name="declared">The direction declared for it, or <see langword="null"/> for the catalog's.</param>
    /// <returns>Whether higher is better.</returns>
    public static bool HigherIsBetter(string metric, bool? declared) => declared ?? HigherIsBetter(metric);

    /// <summary>
    /// The metric a model is judged on when none is chosen: <c>rmse</c> for a model that only predicts ratings,
    /// <c>ndcg_at_k</c> for every other (a ranking model, one for both, or one whose purpose is unknown: what serving
    /// does with a model is rank). Promotion, tuning and the bootstrap all take it from here.
    /// </summary>
    /// <param name="purpose">The model's purpose, or <see langword="null"/> when unknown.</param>
    /// <returns>The metric name.</returns>
    public static string DefaultMetric(ModelPurpose? purpose) => purpose == ModelPurpose.RatingPrediction ? "rmse" : "ndcg_at_k";

    /// <summary>
    /// The purpose a metric judges: <see cref="ModelPurpose.RatingPrediction"/> for RMSE and MAE,
    /// <see cref="ModelPurpose.Ranking"/> for the ranking metrics, <see cref="ModelPurpose.None"/> for metrics that
    /// describe the evaluation itself (<c>test_size</c>) or that the catalog does not know.
    /// </summary>
    /// <param name="metric">The metric name.</param>
    /// <returns>The purpose.</returns>
    public static ModelPurpose PurposeOf(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return Find(metric)?.Purpose ?? ModelPurpose.None;
    }

    /// <summary>Returns whether a metric means something for a model of the given purpose.</summary>
    /// <param name="metric">The metric name.</param>
    /// <param name="purpose">The model's purpose.</param>
    /// <returns>Whether the metric may be used to judge or compare such a model.</returns>
    public static bool IsMeaningful(string metric, ModelPurpose purpose)
    {
        var judged = PurposeOf(metric);
        return judged == ModelPurpose.None || (judged & purpose) != 0;
    }

    /// <summary>The registry metrics of an evaluation: the finite values of the metrics meaningful for <paramref name="purpose"/>.</summary>
    /// <param name="result">The evaluation.</param>
    /// <param name="purpose">What the evaluated model is for.</param>
    /// <returns>The metrics by name.</returns>
    public static Dictionary<string, double> MetricsOf(EvaluationResult result, ModelPurpose purpose)
    {
        ArgumentNullException.ThrowIfNull(result);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, _, _, value) in Entries)
        {
            if (IsMeaningful(name, purpose) && value(result) is var v && double.IsFinite(v))
            {
                metrics[name] = v;
            }
        }

        return metrics;
    }

    /// <summary>The stable lower-case name of a purpose, as stored in a version's <c>purpose</c> tag.</summary>
    /// <param name="purpose">The purpose.</param>
    /// <returns><c>rating-prediction</c>, <c>ranking</c>, <c>rating-prediction+ranking</c> or <c>none</c>.</returns>
    public static string Format(ModelPurpose purpose) => purpose switch
    {
        ModelPurpose.RatingPrediction => "rating-prediction",
        ModelPurpose.Ranking => "ranking",
        ModelPurpose.Both => "rating-prediction+ranking",
        _ => "none",
    };

    /// <summary>Parses a purpose written by <see cref="Format"/>.</summary>
    /// <param name="text">The text, or <see langword="null"/>.</param>
    /// <returns>The purpose, or <see langword="null"/> when the text is missing or not a purpose.</returns>
    public static ModelPurpose? Parse(string? text) => text?.Trim().ToLower(CultureInfo.InvariantCulture) switch
    {
        "rating-prediction" => ModelPurpose.RatingPrediction,
        "ranking" => ModelPurpose.Ranking,
        "rating-prediction+ranking" => ModelPurpose.Both,
        _ => null,
    };

    private static (string Name, ModelPurpose Purpose, bool HigherIsBetter, Func<EvaluationResult, double> Value)? Find(string metric)
    {
        foreach (var entry in Entries)
        {
            if (string.Equals(entry.Name, metric, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }

        return null;
    }
}
