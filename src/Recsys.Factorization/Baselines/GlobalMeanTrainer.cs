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
    public IRecommender Fit(InteractionDataset training, CancellationToken cancellationToken = default)
    {
        TrainingGuard.ThrowIfEmpty(training);
        cancellationToken.ThrowIfCancellationRequested();
        return new Model(training);
    }

    private sealed class Model(InteractionDataset training) : RecommenderBase(Name, training)
    {
        private readonly float _mean = (float)training.GlobalMean;

        public override float Predict(int user, int item) => _mean;

        protected override void ScoreItems(int user, Span<float> scores) => scores.Fill(_mean);

        protected override void ScoreItemsForUnknownUser(Span<float> scores) => scores.Fill(_mean);
    }
}
