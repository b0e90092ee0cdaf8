using Recsys.Data;
using Recsys.Runs;

namespace Recsys.Registry.Internal;

/// <summary>
/// The owner of one backend's stores and of what they share (a connection pool): disposes the stores, then the
/// shared resource. Idempotent.
/// </summary>
internal sealed class RecsysBackend(IModelRegistry registry, IRunStore runs, IInteractionStore interactions, IAsyncDisposable? shared) : IRecsysBackend
{
    private int _disposed;

    public IModelRegistry Registry { get; } = registry;

    public IRunStore Runs { get; } = runs;

    public IInteractionStore Interactions { get; } = interactions;

    /// <summary>Gets what the stores share (the <c>NpgsqlDataSource</c> on PostgreSQL), for tests.</summary>
    public IAsyncDisposable? Shared { get; } = shared;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Interactions.DisposeAsync().ConfigureAwait(false);
        await Runs.DisposeAsync().ConfigureAwait(false);
        await Registry.DisposeAsync().ConfigureAwait(false);
        if (Shared is not null)
        {
            await Shared.DisposeAsync().ConfigureAwait(false);
        }
    }
}
