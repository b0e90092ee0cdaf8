namespace Recsys.Data;

/// <summary>
/// Durable storage of interactions that arrive while a model serves (for example <c>POST /interactions</c>): serving
/// excludes them at once, the next retraining trains on them.
/// </summary>
public interface IInteractionStore : IAsyncDisposable
{
    /// <summary>Appends interactions atomically: all of them are stored or none.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when they are durable.</returns>
    Task AppendAsync(IReadOnlyList<Interaction> interactions, CancellationToken cancellationToken);

    /// <summary>The stored interactions of one user, oldest first.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The interactions.</returns>
    Task<IReadOnlyList<Interaction>> GetUserInteractionsAsync(string userId, CancellationToken cancellationToken);

    /// <summary>How many interactions are stored.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The count.</returns>
    Task<long> CountAsync(CancellationToken cancellationToken);

    /// <summary>Streams every stored interaction in the order it was stored.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The interactions.</returns>
    IAsyncEnumerable<Interaction> ReadAllAsync(CancellationToken cancellationToken);
}
