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

/// <summary>Progress of a training run, reported after every epoch.</summary>
/// <param name="Algorithm">The algorithm being trained.</param>
/// <param name="Epoch">The epoch just finished, from 1.</param>
/// <param name="Epochs">The number of epochs planned.</param>
/// <param name="Loss">The training loss after the epoch (the algorithm's objective, or NaN when it does not compute one).</param>
public readonly record struct TrainingProgress(string Algorithm, int Epoch, int Epochs, double Loss);

/// <summary>Conveniences over <see cref="IRecommenderTrainer"/>.</summary>
public static class RecommenderTrainerExtensions
{
    /// <summary>Trains a model without progress reporting.</summary>
    /// <param name="trainer">The trainer.</param>
    /// <param name="training">The training interactions.</param>
    /// <param name="cancellationToken">Checked between epochs.</param>
    /// <returns>The trained model.</returns>
    public static IRecommender Fit(this IRecommenderTrainer trainer, InteractionDataset training, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        return trainer.Fit(training, null, cancellationToken);
    }
}
