using Recsys.Evaluation;

namespace Recsys.Registry;

/// <summary>Applies a <see cref="PromotionPolicy"/> through any <see cref="IModelRegistry"/>.</summary>
public static class ModelRegistryPromotion
{
    /// <summary>
    /// Decides about a candidate version and moves it: Production (archiving the old one), Staging, or Archived when
    /// rejected. The decision and its numbers are the reason recorded in the history.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The candidate version.</param>
    /// <param name="policy">The policy.</param>
    /// <param name="productionMetrics">
    /// Production's metrics on the candidate's evaluation split; <see langword="null"/> uses the metrics stored with the
    /// Production version. Metrics not meaningful for a version's purpose (its <c>purpose</c> tag) are ignored on both sides.
    /// </param>
    /// <param name="actor">Who decides.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The decision.</returns>
    public static Task<PromotionDecision> PromoteAsync(
        this IModelRegistry registry, string modelName, int version, PromotionPolicy policy, IReadOnlyDictionary<string, double>? productionMetrics, string actor, CancellationToken cancellationToken) =>
        PromoteAsync(registry, modelName, version, policy, productionMetrics, refresh: false, actor, cancellationToken);

    /// <summary>
    /// Decides about a candidate version, as a challenger or as a refresh of Production (see
    /// <see cref="PromotionPolicy.Decide(IReadOnlyDictionary{string, double}, IReadOnlyDictionary{string, double}?, bool)"/>), and moves it.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The candidate version.</param>
    /// <param name="policy">The policy.</param>
    /// <param name="productionMetrics">Production's metrics on the candidate's evaluation; <see langword="null"/> uses the stored ones.</param>
    /// <param name="refresh">Whether the candidate is Production's recipe retrained on newer data (ties promote).</param>
    /// <param name="actor">Who decides.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The decision.</returns>
    public static async Task<PromotionDecision> PromoteAsync(
        this IModelRegistry registry, string modelName, int version, PromotionPolicy policy, IReadOnlyDictionary<string, double>? productionMetrics, bool refresh, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(policy);
        var candidate = await registry.GetVersionAsync(modelName, version, cancellationToken).ConfigureAwait(false);
        var production = await registry.GetByStageAsync(modelName, ModelStage.Production, cancellationToken).ConfigureAwait(false);
        var decision = production is not null && production.Version == version
            ? new PromotionDecision(PromotionOutcome.Promote, "the candidate is already in Production", double.NaN, null)
            : policy.Decide(Meaningful(candidate, candidate.Metrics), production is null ? null : Meaningful(production, productionMetrics ?? production.Metrics), refresh);
        var stage = decision.Outcome switch
        {
            PromotionOutcome.Promote => ModelStage.Production,
            PromotionOutcome.Stage => ModelStage.Staging,
            _ => ModelStage.Archived,
        };
        await registry.RecordPromotionDecisionAsync(modelName, version, actor, $"{decision.Outcome}: {decision.Reason}", cancellationToken).ConfigureAwait(false);
        await registry.TransitionStageAsync(modelName, version, stage, archiveExisting: stage == ModelStage.Production, actor, $"promotion policy: {decision.Outcome}: {decision.Reason}", cancellationToken).ConfigureAwait(false);
        return decision;
    }

    /// <summary>The metrics meaningful for a version's declared purpose (its <c>purpose</c> tag); all of them when it declares none.</summary>
    private static IReadOnlyDictionary<string, double> Meaningful(ModelVersion version, IReadOnlyDictionary<string, double> metrics) =>
        MetricCatalog.Parse(version.Tags.GetValueOrDefault(PurposeTag)) is { } purpose
            ? metrics.Where(m => MetricCatalog.IsMeaningful(m.Key, purpose)).ToDictionary(StringComparer.Ordinal)
            : metrics;

    /// <summary>The version tag that declares what a model is for (<see cref="MetricCatalog.Format"/>).</summary>
    public const string PurposeTag = "purpose";
}
