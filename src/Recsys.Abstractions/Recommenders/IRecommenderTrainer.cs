using Recsys.Data;

namespace Recsys.Recommenders;

/// <summary>Trains a recommender on a dataset.</summary>
public interface IRecommenderTrainer
{
    /// <summary>Gets the name of the algorithm (for example, <c>baseline</c> or <c>popularity</c>).</summary>
    string Algorithm { get; }

    /// <summary>Trains a model.</summary>
    /// <param name="training">The training interactions.</param>
    /// <param name="cancellationToken">Checked between epochs; cancelling throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The trained model.</returns>
    /// <exception cref="ArgumentException"><paramref name="training"/> is empty.</exception>
    IRecommender Fit(InteractionDataset training, CancellationToken cancellationToken = default);
}
