using Recsys.Data;

namespace Recsys.Retraining;

/// <summary>A source that can also be read to files on disk, for a run that trains beyond memory (<see cref="RetrainingOptions.MemoryBudget"/>).</summary>
public interface ISpoolingInteractionSource : IInteractionSource
{
    /// <summary>Counts the rows the source holds now (from Parquet footers and the Delta log; delimited text is counted), without reading the interactions.</summary>
    /// <param name="cancellationToken">Stops the count.</param>
    /// <returns>The rows, bad ones included.</returns>
    Task<long> CountRowsAsync(CancellationToken cancellationToken);

    /// <summary>Reads the source into a spool on disk (<see cref="InteractionSource.SpoolAsync"/>), holding a share of its pairs out in memory.</summary>
    /// <param name="directory">The folder in which the spool makes its own.</param>
    /// <param name="holdoutFraction">The share of (user, item) pairs held out, by a hash of the ids.</param>
    /// <param name="holdoutSeed">The seed of that hash.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The spool; the caller disposes it.</returns>
    Task<InteractionSpool> SpoolAsync(string directory, double holdoutFraction, ulong holdoutSeed, CancellationToken cancellationToken);
}
