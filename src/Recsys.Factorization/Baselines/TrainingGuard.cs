using Recsys.Data;

namespace Recsys.Baselines;

internal static class TrainingGuard
{
    public static void ThrowIfEmpty(InteractionDataset training)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (training.Count == 0)
        {
            throw new ArgumentException("The training dataset has no interactions.", nameof(training));
        }
    }
}
