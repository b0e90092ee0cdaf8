using Recsys.Data;

namespace Recsys.Recommenders;

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
