namespace Recsys.Retraining;

/// <summary>
/// A source whose data has versions (a Delta table): the flow records the version it trained on in the lineage, and
/// the data-volume trigger counts the rows new versions added.
/// </summary>
public interface IVersionedInteractionSource : IInteractionSource
{
    /// <summary>Gets the version the last <see cref="IInteractionSource.LoadAsync"/> read, or <see langword="null"/> before the first load.</summary>
    long? LoadedVersion { get; }

    /// <summary>Counts the rows the source's versions have added so far; the count only grows, so the rows added since a run are the difference.</summary>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The count.</returns>
    Task<long> CountAddedRowsAsync(CancellationToken cancellationToken);
}
