using Recsys.Data;

namespace Recsys.Retraining;

/// <summary>Where a retraining run gets its interactions.</summary>
public interface IInteractionSource
{
    /// <summary>Gets a description for the run history and lineage.</summary>
    string Description { get; }

    /// <summary>Loads the interactions.</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The data set.</returns>
    Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken);
}
