using Recsys.Data;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys;

/// <summary>
/// One storage backend: the model registry, the retraining run store and the interaction store, created together on
/// one connection pool (one SQLite database file, one <c>NpgsqlDataSource</c>). The backend owns the three stores and
/// what they share: disposing it closes them all.
/// </summary>
public interface IRecsysBackend : IAsyncDisposable
{
    /// <summary>Gets the model registry.</summary>
    IModelRegistry Registry { get; }

    /// <summary>Gets the retraining run history and per-model run lock.</summary>
    IRunStore Runs { get; }

    /// <summary>Gets the store of interactions that arrive while a model serves.</summary>
    IInteractionStore Interactions { get; }
}
