using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.Retraining.Internal;

/// <summary>
/// The bootstrap of an empty registry, run once when the host starts: under a registry-wide lock (so of several
/// replicas starting together exactly one trains; the others wait for it), each model of <see cref="BootstrapOptions"/>
/// that has no version at all gets one retraining run (trigger <c>bootstrap</c>, in the run history) with its algorithm
/// as the only candidate, on the configured file or the built-in synthetic data, promoted on the metric its purpose
/// makes meaningful, then put at the configured stage or alias. A model with versions is never changed here.
/// </summary>
internal sealed class ModelBootstrapService(
    IOptions<BootstrapOptions> options,
    ModelFormat format,
    IModelRegistry registry,
    IRunStore runs,
    ILoggerFactory loggers,
    TimeProvider time,
    IMeterFactory? meters = null) : BackgroundService, IModelBootstrapper
{
    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(250);

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger = loggers.CreateLogger<ModelBootstrapService>();

    public IReadOnlyCollection<string> Models => options.Value.Enabled ? [.. Targets().Select(t => t.Model)] : [];

    public Task Completion => _completion.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (options.Value.Enabled)
            {
                await BootstrapIfEmptyAsync(stoppingToken).ConfigureAwait(false);
            }

            _completion.TrySetResult();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(stoppingToken);
        }
        catch (Exception e)
        {
            // Reported, not thrown: a failed bootstrap must not stop the host (serving reports it as its load error).
            Log.BootstrapFailed(_logger, e);
            _completion.TrySetException(e);
        }
    }

    private async Task BootstrapIfEmptyAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var owner = $"bootstrap-{Guid.NewGuid():N}";
        var waited = false;
        IAsyncDisposable? bootstrapLock;
        while ((bootstrapLock = await runs.TryLockModelAsync($"bootstrap:{settings.ModelName}", owner, cancellationToken).ConfigureAwait(false)) is null)
        {
            if (!waited)
            {
                Log.BootstrapWaiting(_logger, settings.ModelName);
                waited = true;
            }

            await Task.Delay(LockPoll, time, cancellationToken).ConfigureAwait(false);
        }

        await using (bootstrapLock.ConfigureAwait(false))
        {
            foreach (var (model, algorithm) in Targets())
            {
                var versions = (await registry.ListVersionsOrEmptyAsync(model, cancellationToken).ConfigureAwait(false)).Count;
                if (versions > 0)
                {
                    Log.BootstrapNotNeeded(_logger, model, versions);
                    continue;
                }

                await BootstrapAsync(model, algorithm, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The main model and the companions (for example the original service's <c>svd</c>, <c>nmf</c>, <c>hybrid</c>).</summary>
    private IEnumerable<(string Model, string Algorithm)> Targets() =>
        options.Value.Companions.Select(c => (c.Key, c.Value)).Prepend((options.Value.ModelName, options.Value.Algorithm));

    private async Task BootstrapAsync(string model, string algorithm, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        Log.Bootstrapping(_logger, $"{model} ({algorithm})", settings.DataPath is { } data ? $"file {Path.GetFileName(data)}" : "the built-in synthetic data");
        var source = settings.DataPath is { } path
            ? InteractionSources.FromPath(path) // a ratings file, Parquet, a Delta table; local or az:// / abfss://
            : InteractionSources.Synthetic(new SyntheticDataOptions { Seed = settings.Seed });
        var flowOptions = new RetrainingOptions
        {
            ModelName = model,
            Split = string.Create(CultureInfo.InvariantCulture, $"random:{settings.TestFraction}"),
            Seed = settings.Seed,
            Refit = settings.Refit,
            MoviesPath = settings.MoviesPath,
            MaxParallelism = 1,
        };
        flowOptions.Candidates.Add(new CandidateOptions { Algorithm = algorithm });
        flowOptions.Promotion.PrimaryMetric = MetricCatalog.DefaultMetric(RecommenderAlgorithms.PurposeOf(algorithm));
        var flow = new RetrainingService(registry, runs, source, Options.Create(flowOptions), loggers.CreateLogger<RetrainingService>(), time: time, meterFactory: meters, modelFormat: format);
        var run = await flow.RunAsync("bootstrap", cancellationToken).ConfigureAwait(false);
        if (run.State != RunState.Succeeded)
        {
            throw new InvalidOperationException($"Bootstrapping model '{model}' ({algorithm}) failed in run {run.Id}: {run.Error ?? run.State.ToString()}.");
        }

        var production = await registry.GetByStageAsync(model, ModelStage.Production, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Bootstrapping model '{model}' ({algorithm}) promoted nothing: {run.Decision}");
        if (model != settings.ModelName)
        {
            return; // a companion is served by its name at Production
        }

        if (settings.Alias is { } alias)
        {
            await registry.SetAliasAsync(model, alias, production.Version, "bootstrap", "the registry held no version of the model", cancellationToken).ConfigureAwait(false);
        }
        else if (settings.Stage != ModelStage.Production)
        {
            await registry.TransitionStageAsync(model, production.Version, settings.Stage, archiveExisting: true, "bootstrap", "the registry held no version of the model", cancellationToken).ConfigureAwait(false);
        }
    }
}
