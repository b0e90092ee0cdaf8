using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Retraining;

/// <summary>
/// The rules bootstrap and retraining share: what a model is for, and the lineage of a version that was evaluated on
/// a holdout and (by default) refit on all the data.
/// </summary>
public static class ModelLifecycle
{
    /// <summary>
    /// What a model is for: <paramref name="declared"/> when given, else its built-in algorithm's purpose
    /// (<see cref="RecommenderAlgorithms.PurposeOf"/>), else <see cref="ModelPurpose.Both"/> (a custom model that
    /// declares nothing is judged on every metric).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="declared">A purpose declared by the caller, or <see langword="null"/>.</param>
    /// <returns>The purpose.</returns>
    public static ModelPurpose PurposeOf(IRecommender model, ModelPurpose? declared = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return declared ?? RecommenderAlgorithms.PurposeOf(model.Algorithm) ?? ModelPurpose.Both;
    }

    /// <summary>The lineage of a version whose metrics come from <paramref name="evaluation"/> and whose artifact was trained on <paramref name="trainedOn"/>.</summary>
    /// <param name="trainedOn">The data the artifact was trained on: all the data after a refit, else the split's training part.</param>
    /// <param name="evaluation">The split the metrics were measured on.</param>
    /// <param name="refit">Whether <paramref name="trainedOn"/> is the refit on all the data.</param>
    /// <returns>The lineage.</returns>
    public static ModelLineage LineageOf(InteractionDataset trainedOn, DataSplit evaluation, bool refit)
    {
        ArgumentNullException.ThrowIfNull(trainedOn);
        ArgumentNullException.ThrowIfNull(evaluation);
        var newest = trainedOn.Count == 0 ? (long?)null : System.Numerics.Tensors.TensorPrimitives.Max(trainedOn.RowTimestamps);
        return new ModelLineage(
            trainedOn.ComputeFingerprint(),
            trainedOn.Count,
            trainedOn.Users.Count,
            trainedOn.Items.Count,
            refit ? $"all data (refit after evaluation on {evaluation.Description})" : evaluation.Description,
            typeof(ModelFile).Assembly.GetName().Version?.ToString() ?? "unknown")
        {
            Refit = refit,
            NewestTimestamp = newest,
            Evaluation = new EvaluationLineage(evaluation.Description, evaluation.Train.ComputeFingerprint(), evaluation.Train.Count, evaluation.Test.ComputeFingerprint(), evaluation.Test.Count),
        };
    }

    /// <summary>The tags that record a version's purpose (and any <paramref name="extra"/> tags).</summary>
    internal static Dictionary<string, string> Tags(ModelPurpose purpose, params (string Key, string Value)[] extra)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal) { [ModelRegistryPromotion.PurposeTag] = MetricCatalog.Format(purpose) };
        foreach (var (key, value) in extra)
        {
            tags[key] = value;
        }

        return tags;
    }
}
