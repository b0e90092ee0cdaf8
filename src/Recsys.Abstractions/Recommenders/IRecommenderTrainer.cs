using Recsys.Data;

namespace Recsys.Recommenders;

/// <summary>Trains a recommender on a dataset.</summary>
public interface IRecommenderTrainer
{
    /// <summary>Gets the name of the algorithm (for example, <c>baseline</c> or <c>biased-mf</c>).</summary>
    string Algorithm { get; }

    /// <summary>Trains a model.</summary>
    /// <param name="training">The training interactions.</param>
    /// <param name="progress">Receives the epoch and training loss after every epoch, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Checked between epochs; cancelling throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The trained model.</returns>
    /// <exception cref="ArgumentException"><paramref name="training"/> is empty.</exception>
    IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken);
}
