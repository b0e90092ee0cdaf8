using Microsoft.Extensions.Logging;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.Serving;

/// <summary>
/// The bootstrap of an empty registry: takes a registry-wide lock (so of several replicas starting together exactly one
/// trains), asks the registered <see cref="IModelBootstrapper"/> (Recsys.Retraining) for a first version of each model
/// that has none, and puts it at the stage or alias the host serves.
/// </summary>
internal sealed class ModelBootstrap(IModelRegistry registry, IRunStore runs, RecommenderOptions options, TimeProvider time, ILogger logger, IModelBootstrapper? bootstrapper)
{
    /// <summary>
    /// Bootstraps only a registry that holds no version of the model at all, under a registry-wide lock so that of
    /// several replicas starting together exactly one trains; the others wait for it and then load its version. A
    /// registry with versions (even ones that cannot be loaded) is never changed here. Returns whether anything
    /// may have been registered (so a reload is due).
    /// </summary>
    public async Task<bool> BootstrapIfEmptyAsync(bool nothingServed, string? lastError, string servedTarget, CancellationToken cancellationToken)
    {
        var lockName = $"bootstrap:{options.ModelName}";
        var owner = $"bootstrap-{Guid.NewGuid():N}";
        var waited = false;
        IAsyncDisposable? bootstrapLock;
        while ((bootstrapLock = await runs.TryLockModelAsync(lockName, owner, cancellationToken).ConfigureAwait(false)) is null)
        {
            if (!waited)
            {
                Log.BootstrapWaiting(logger, options.ModelName);
                waited = true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken).ConfigureAwait(false);
        }

        await using (bootstrapLock.ConfigureAwait(false))
        {
            var missing = new List<(string Model, string Algorithm)>();
            foreach (var (model, algorithm) in BootstrapTargets())
            {
                var versions = await VersionCountAsync(model, cancellationToken).ConfigureAwait(false);
                if (versions == 0)
                {
                    missing.Add((model, algorithm));
                }
                else if (model == options.ModelName && nothingServed && !waited)
                {
                    Log.BootstrapSkipped(logger, model, versions, lastError ?? $"no version at {servedTarget}");
                }
            }

            if (missing.Count == 0)
            {
                return waited;
            }

            await BootstrapAsync(missing, cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>The served model and the companions (for example the original service's <c>svd</c>, <c>nmf</c>, <c>hybrid</c>).</summary>
    private IEnumerable<(string Model, string Algorithm)> BootstrapTargets() =>
        options.Bootstrap.Companions.Select(c => (c.Key, c.Value)).Prepend((options.ModelName, options.Bootstrap.Algorithm));

    private async Task<int> VersionCountAsync(string model, CancellationToken cancellationToken) =>
        await registry.FindModelAsync(model, cancellationToken).ConfigureAwait(false) is null
            ? 0
            : (await registry.ListVersionsAsync(model, cancellationToken).ConfigureAwait(false)).Count;

    /// <summary>
    /// For each model without versions, one retraining run through the registered <see cref="IModelBootstrapper"/>
    /// (Recsys.Retraining's, trigger <c>bootstrap</c>, in the run history): load, holdout split, train the one
    /// candidate, evaluate, refit on all the data (unless turned off), register and promote on the metric its purpose
    /// makes meaningful. A host serving another stage or an alias then gets the version there.
    /// </summary>
    private async Task BootstrapAsync(IReadOnlyList<(string Model, string Algorithm)> targets, CancellationToken cancellationToken)
    {
        var bootstrap = options.Bootstrap;
        var trainer = bootstrapper ?? throw new InvalidOperationException(
            "Recsys:Bootstrap:Enabled is set but nothing can train the first version: add the Recsys.Retraining package and call services.AddRecsysBootstrap() (or AddRetraining(…), which adds it).");
        foreach (var (name, algorithm) in targets)
        {
            Log.Bootstrapping(logger, $"{name} ({algorithm})", bootstrap.DataPath is { } data ? $"file {Path.GetFileName(data)}" : "the built-in synthetic data");
            var run = await trainer.BootstrapAsync(
                new ModelBootstrapRequest(name, algorithm)
                {
                    DataPath = bootstrap.DataPath,
                    MoviesPath = options.MoviesPath,
                    TestFraction = bootstrap.TestFraction,
                    Refit = bootstrap.Refit,
                    Seed = bootstrap.Seed,
                },
                cancellationToken).ConfigureAwait(false);
            if (run.State != RunState.Succeeded)
            {
                throw new InvalidOperationException($"Bootstrapping model '{name}' ({algorithm}) failed in run {run.Id}: {run.Error ?? run.State.ToString()}.");
            }

            var production = await registry.GetByStageAsync(name, ModelStage.Production, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Bootstrapping model '{name}' ({algorithm}) promoted nothing: {run.Decision}");
            if (options.Alias is { } alias && name == options.ModelName)
            {
                await registry.SetAliasAsync(name, alias, production.Version, "bootstrap", "the registry held no version of the model", cancellationToken).ConfigureAwait(false);
            }
            else if (options.Stage != ModelStage.Production)
            {
                await registry.TransitionStageAsync(name, production.Version, options.Stage, archiveExisting: true, "bootstrap", "the registry held no version of the model", cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
