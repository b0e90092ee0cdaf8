using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Baselines;

/// <summary>Predicts the mean training value for every pair; ranks all items equally (ties by item index).</summary>
/// <remarks>The weakest sensible baseline: any model worth serving must beat it.</remarks>
public sealed class GlobalMeanTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name, <c>global-mean</c>.</summary>
    public const string Name = "global-mean";

    /// <inheritdoc />
    public string Algorithm => Name;

    /// <inheritdoc />
    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingGuard.ThrowIfEmpty(training);
        cancellationToken.ThrowIfCancellationRequested();
        var cold = new float[training.Items.Count];
        cold.AsSpan().Fill((float)training.GlobalMean);
        return new FactorModel(Name, "{}", TrainingFootprint.From(training), new FactorModelParts
        {
            Global = training.GlobalMean,
            ColdScores = cold,
            NonPersonalized = true,
        });
    }
}
