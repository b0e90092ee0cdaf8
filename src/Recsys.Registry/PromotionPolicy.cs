using System.Globalization;
using Recsys.Evaluation;

namespace Recsys.Registry;

/// <summary>
/// When a candidate replaces Production: its primary metric must beat Production's by <see cref="MinImprovement"/>
/// (RMSE and MAE: lower is better; other metrics: higher is better, unless <see cref="HigherIsBetter"/> says
/// otherwise; see <see cref="MetricCatalog"/>), on the same evaluation, and pass every gate. Without a Production
/// version the first candidate that passes the gates is promoted. A candidate that passes the gates but does not beat
/// Production goes to Staging, and so does one that cannot be compared because Production has no meaningful value of
/// the primary metric (a model of another purpose: an implicit top-N model has no RMSE). A refresh (a retrain of
/// Production's own recipe on newer data, see <see cref="Decide(IReadOnlyDictionary{string, double}, IReadOnlyDictionary{string, double}?, bool)"/>)
/// replaces Production unless it is worse by more than <see cref="RefreshMargin"/>: ties go to the fresher model.
/// </summary>
public sealed class PromotionPolicy
{
    /// <summary>Gets or sets the metric compared (a <see cref="MetricCatalog"/> name).</summary>
    /// <value>The default value is <c>ndcg_at_k</c>: serving hosts serve top-N lists, so a ranking metric decides.</value>
    public string PrimaryMetric { get; set; } = "ndcg_at_k";

    /// <summary>
    /// Gets or sets whether a higher primary metric is better; <see langword="null"/> takes the <see cref="MetricCatalog"/>'s
    /// direction, which a metric the catalog does not know has not (deciding on one without declaring it is refused).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public bool? HigherIsBetter { get; set; }

    /// <summary>Gets or sets the smallest improvement over Production that promotes (in the metric's units).</summary>
    /// <value>The default value is 0 (any strict improvement).</value>
    public double MinImprovement { get; set; }

    /// <summary>
    /// Gets or sets how much worse than Production (in the metric's units) a refresh may measure and still replace it: a
    /// candidate of Production's own recipe trained on newer data, compared on interactions newer than Production's
    /// training data. Within it the fresher model wins (it has learned what users did since).
    /// </summary>
    /// <value>The default value is 0.01.</value>
    public double RefreshMargin { get; set; } = 0.01;

    /// <summary>Gets the lowest values secondary metrics must reach (for example <c>ndcg_at_k</c> ≥ 0.05).</summary>
    public IDictionary<string, double> MinimumMetrics { get; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>Gets the highest values secondary metrics may have (for example <c>mae</c> ≤ 0.8).</summary>
    public IDictionary<string, double> MaximumMetrics { get; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>Gets or sets the smallest evaluation (metric <c>test_size</c>) a decision may rest on.</summary>
    /// <value>The default value is 0.</value>
    public int MinTestSize { get; set; }

    /// <summary>Decides about a candidate.</summary>
    /// <param name="candidate">The candidate's metrics.</param>
    /// <param name="production">
    /// Production's meaningful metrics on the same evaluation, or <see langword="null"/> when nothing is in Production.
    /// </param>
    /// <returns>The decision.</returns>
    public PromotionDecision Decide(IReadOnlyDictionary<string, double> candidate, IReadOnlyDictionary<string, double>? production) => Decide(candidate, production, refresh: false);

    /// <summary>Decides about a candidate, as a challenger or as a refresh of Production.</summary>
    /// <param name="candidate">The candidate's metrics.</param>
    /// <param name="production">
    /// Production's meaningful metrics on the same evaluation, or <see langword="null"/> when nothing is in Production.
    /// </param>
    /// <param name="refresh">
    /// Whether the candidate is Production's own recipe retrained on newer data: then it replaces Production unless it
    /// is worse by more than <see cref="RefreshMargin"/> (a tie promotes; so does anything the challenger rule would
    /// promote); otherwise it must beat Production by more than <see cref="MinImprovement"/>. The gates apply either way.
    /// </param>
    /// <returns>The decision.</returns>
    public PromotionDecision Decide(IReadOnlyDictionary<string, double> candidate, IReadOnlyDictionary<string, double>? production, bool refresh)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var inv = CultureInfo.InvariantCulture;
        if (!candidate.TryGetValue(PrimaryMetric, out var value) || !double.IsFinite(value))
        {
            return new(PromotionOutcome.Reject, $"the candidate has no finite '{PrimaryMetric}' metric (it is not meaningful for the candidate or was not measured)", double.NaN, null);
        }

        if (MinTestSize > 0 && (!candidate.TryGetValue("test_size", out var size) || size < MinTestSize))
        {
            return new(PromotionOutcome.Reject, string.Create(inv, $"the evaluation has {(candidate.TryGetValue("test_size", out var s) ? s : 0)} test interactions; at least {MinTestSize} are required"), value, null);
        }

        foreach (var (metric, minimum) in MinimumMetrics)
        {
            if (!candidate.TryGetValue(metric, out var m) || !(m >= minimum))
            {
                return new(PromotionOutcome.Reject, string.Create(inv, $"gate failed: {metric} = {(candidate.TryGetValue(metric, out var x) ? x : double.NaN)} is below {minimum}"), value, null);
            }
        }

        foreach (var (metric, maximum) in MaximumMetrics)
        {
            if (!candidate.TryGetValue(metric, out var m) || !(m <= maximum))
            {
                return new(PromotionOutcome.Reject, string.Create(inv, $"gate failed: {metric} = {(candidate.TryGetValue(metric, out var x) ? x : double.NaN)} is above {maximum}"), value, null);
            }
        }

        if (production is null)
        {
            return new(PromotionOutcome.Promote, string.Create(inv, $"nothing is in Production; {PrimaryMetric} = {value:G6} passes the gates"), value, null);
        }

        if (!production.TryGetValue(PrimaryMetric, out var current) || !double.IsFinite(current))
        {
            return new(PromotionOutcome.Stage, string.Create(inv, $"not comparable: Production has no meaningful '{PrimaryMetric}' (a model of another purpose, or not measured), so the candidate ({PrimaryMetric} = {value:G6}) is staged, not promoted"), value, null);
        }

        var higher = MetricCatalog.HigherIsBetter(PrimaryMetric, HigherIsBetter);
        var improvement = higher ? value - current : current - value;
        if (refresh)
        {
            return improvement > 0 || improvement > MinImprovement
                ? new(PromotionOutcome.Promote, string.Create(inv, $"refresh: {PrimaryMetric} {value:G6} beats Production's {current:G6} by {improvement:G4}{(improvement > 0 ? "" : $" (> {MinImprovement})")}"), value, current)
                : improvement >= -RefreshMargin
                ? new(PromotionOutcome.Promote, string.Create(inv, $"refresh: {PrimaryMetric} {value:G6} is within the refresh margin {RefreshMargin} of Production's {current:G6}, and ties go to the fresher model"), value, current)
                : new(PromotionOutcome.Stage, string.Create(inv, $"refresh refused: {PrimaryMetric} {value:G6} is worse than Production's {current:G6} by {-improvement:G4}, more than the refresh margin {RefreshMargin}"), value, current);
        }

        return improvement > MinImprovement
            ? new(PromotionOutcome.Promote, string.Create(inv, $"{PrimaryMetric} {value:G6} beats Production's {current:G6} by {improvement:G4} (> {MinImprovement})"), value, current)
            : new(PromotionOutcome.Stage, string.Create(inv, $"{PrimaryMetric} {value:G6} does not beat Production's {current:G6} by more than {MinImprovement}"), value, current);
    }
}
