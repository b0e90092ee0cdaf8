using System.Globalization;
using Recsys.Evaluation;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Retraining.Internal;

/// <summary>
/// The promotion step of a run, for one model: which candidates the primary metric can judge, the best of them, a
/// refresh when Production's own recipe was retrained on newer data, and the registry's promotion under the policy.
/// </summary>
internal sealed class CandidatePromoter(IModelRegistry registry, PromotionPolicy policy)
{
    /// <summary>Promotes the best of one model's candidates that the primary metric can judge; the decision says who was compared or skipped and why.</summary>
    public async Task<string> PromoteAsync(string runId, IReadOnlyList<ModelVersion> registered, IReadOnlyList<ModelPurpose> purposes, ProductionEvaluation? production, CancellationToken cancellationToken)
    {
        var metric = policy.PrimaryMetric;
        var notes = new List<string>();
        var comparable = new List<ModelVersion>();
        for (var k = 0; k < registered.Count; k++)
        {
            var v = registered[k];
            if (!MetricCatalog.IsMeaningful(metric, purposes[k]))
            {
                notes.Add($"v{v.Version} ({v.Trainer}) skipped: {metric} is not meaningful for a {MetricCatalog.Format(purposes[k])} model");
            }
            else if (!v.Metrics.TryGetValue(metric, out var value) || !double.IsFinite(value))
            {
                notes.Add($"v{v.Version} ({v.Trainer}) skipped: it has no finite {metric}");
            }
            else
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"v{v.Version} ({v.Trainer}) compared: {metric} {value:G6}"));
                comparable.Add(v);
            }
        }

        Dictionary<string, double>? productionMetrics = null;
        if (production is not null)
        {
            productionMetrics = MetricCatalog.MetricsOf(production.Score, production.Purpose);
            notes.Add(MetricCatalog.IsMeaningful(metric, production.Purpose)
                ? string.Create(CultureInfo.InvariantCulture, $"Production v{production.Version.Version} ({production.Version.Trainer}) judged on the same holdout ({production.How}): {metric} {productionMetrics.GetValueOrDefault(metric, double.NaN):G6}")
                : $"Production v{production.Version.Version} ({production.Version.Trainer}) not comparable: {metric} is not meaningful for a {MetricCatalog.Format(production.Purpose)} model, so it is not replaced");
        }

        if (comparable.Count == 0)
        {
            return $"no promotion: no candidate can be judged on {metric}; " + string.Join("; ", notes);
        }

        var best = comparable.OrderBy(v => Rank(policy, v.Metrics)).First();

        // A refresh: the run's data holds interactions Production did not learn, and a candidate is Production's own
        // recipe. A challenger of another recipe must still beat Production; otherwise the fresher twin replaces it
        // unless it measures worse by more than the refresh margin.
        var refresh = false;
        if (production is { DataChanged: true } && productionMetrics is not null && MetricCatalog.IsMeaningful(metric, production.Purpose)
            && comparable.Where(v => Recipes.SameRecipe(v, production.Version)).OrderBy(v => Rank(policy, v.Metrics)).FirstOrDefault() is { } twin)
        {
            refresh = twin == best || policy.Decide(best.Metrics, productionMetrics).Outcome != PromotionOutcome.Promote;
            if (refresh)
            {
                notes.Add($"v{twin.Version} ({twin.Trainer}) is Production's recipe retrained on data with interactions Production did not learn: a refresh");
                best = twin;
            }
        }

        var decision = await registry.PromoteAsync(best.ModelName, best.Version, policy, productionMetrics, refresh, $"run {runId}", cancellationToken).ConfigureAwait(false);
        return $"v{best.Version} ({best.Trainer}): {decision.Outcome}: {decision.Reason}; " + string.Join("; ", notes);
    }

    /// <summary>Sort key: the best candidate by the policy's primary metric first; candidates without it last.</summary>
    public static double Rank(PromotionPolicy policy, IReadOnlyDictionary<string, double> metrics)
    {
        if (!metrics.TryGetValue(policy.PrimaryMetric, out var value) || !double.IsFinite(value))
        {
            return double.PositiveInfinity;
        }

        return MetricCatalog.HigherIsBetter(policy.PrimaryMetric, policy.HigherIsBetter) ? -value : value;
    }
}
