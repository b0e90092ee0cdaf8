using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Data;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.Serving;

/// <summary>
/// Keeps the served models: resolves each target (the configured stage or alias; aliases and other models asked for
/// by name) in the registry, loads and verifies the version, and swaps it in atomically. Reloads on the registry's
/// change feed and on demand; a failed load leaves the previous version serving and is reported.
/// </summary>
internal sealed class ModelProvider : BackgroundService
{
    private const string DefaultTarget = "";

    private readonly IModelRegistry _registry;
    private readonly IRunStore _runs;
    private readonly RecommenderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelProvider> _logger;
    private readonly ILoggerFactory _loggers;
    private readonly IMeterFactory? _meters;
    private readonly RecommenderMetrics _metrics;
    private readonly DependencyHealth _health;
    private readonly ConcurrentDictionary<string, ServedModel> _served = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lazy<ItemMetadata?> _movies;
    private readonly IModelBootstrapper? _bootstrapper;
    private readonly ModelFormat _format;

    public ModelProvider(IModelRegistry registry, IRunStore runs, IOptions<RecommenderOptions> options, TimeProvider time, ILoggerFactory loggers, RecommenderMetrics metrics, DependencyHealth health, IMeterFactory? meters = null, IModelBootstrapper? bootstrapper = null, ModelFormat? format = null)
    {
        _format = format ?? ModelFormat.Default;
        _bootstrapper = bootstrapper;
        _loggers = loggers;
        _meters = meters;
        _health = health;
        _registry = registry;
        _runs = runs;
        _options = options.Value;
        _time = time;
        _logger = loggers.CreateLogger<ModelProvider>();
        _metrics = metrics;
        _movies = new(() => _options.MoviesPath is { } path ? MovieLensMovies.Read(path) : null);
    }

    /// <summary>The model of the configured stage or alias, or null while there is none.</summary>
    public ServedModel? Current => _served.TryGetValue(DefaultTarget, out var model) ? model : null;

    /// <summary>Completes when the first load attempt (and bootstrap, if enabled) has finished.</summary>
    public Task Started => _started.Task;

    /// <summary>
    /// Raised after a model was swapped in, with its target (<see langword="null"/> for the configured stage or alias)
    /// and the new model: what tests and diagnostics wait on instead of polling.
    /// </summary>
    public event Action<string?, ServedModel>? Swapped;

    /// <summary>The error of the last start-up or reload attempt of the default target, if it failed.</summary>
    public string? LastError { get; private set; }

    /// <summary>Why nothing can be served: the last load error with the automatic retry, or "not loaded yet".</summary>
    public string Unavailable => Redaction.Paths(LastError) is { Length: > 0 } error
        ? string.Create(CultureInfo.InvariantCulture, $"No model is loaded: {char.ToLowerInvariant(error[0])}{error[1..]} Loading is retried by itself (next attempt by {NextRetry:u}); a restored artifact or a new version is picked up without a reload.")
        : "No model is loaded yet.";

    /// <summary>When the next automatic retry of a failed load is due.</summary>
    private DateTimeOffset NextRetry { get; set; }

    /// <summary>The first pause before a failed load is retried; it doubles up to <see cref="RetryMax"/>.</summary>
    private static readonly TimeSpan RetryFirst = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan RetryMax = TimeSpan.FromMinutes(1);

    /// <summary>The model for <paramref name="algorithm"/>: an alias of the served model, or another registered model's name.</summary>
    public async ValueTask<ServedModel?> GetAsync(string? algorithm, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(algorithm))
        {
            return Current;
        }

        if (_served.TryGetValue(algorithm, out var loaded))
        {
            return loaded;
        }

        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_served.TryGetValue(algorithm, out loaded))
            {
                return loaded;
            }

            var version = await ResolveAsync(algorithm, cancellationToken).ConfigureAwait(false);
            if (version is null)
            {
                return null;
            }

            var started = _time.GetTimestamp();
            var model = await LoadAsync(version, cancellationToken).ConfigureAwait(false);
            _served[algorithm] = model;
            _metrics.ModelLoaded(algorithm, model, ServedAs(algorithm, model), _time.GetElapsedTime(started));
            return model;
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    /// <summary>
    /// Re-resolves every served target and swaps in new versions; with <paramref name="force"/>, reads, verifies and
    /// swaps in even an unchanged version. Returns what changed or failed.
    /// </summary>
    public async Task<IReadOnlyList<ReloadOutcome>> ReloadAsync(CancellationToken cancellationToken, bool force = false)
    {
        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var targets = _served.Keys.Append(DefaultTarget).Distinct(StringComparer.Ordinal).ToList();
            var outcomes = new List<ReloadOutcome>(targets.Count);
            foreach (var target in targets)
            {
                outcomes.Add(await ReloadTargetAsync(target, force, cancellationToken).ConfigureAwait(false));
            }

            return outcomes;
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long watermark = 0;
        try
        {
            var history = await SafeHistoryAsync(stoppingToken).ConfigureAwait(false);
            watermark = history.Count > 0 ? history[^1].Sequence : 0;
            await ReloadAsync(stoppingToken).ConfigureAwait(false);
            if (_options.Bootstrap.Enabled && (Current is null || _options.Bootstrap.Companions.Count > 0) && await BootstrapIfEmptyAsync(stoppingToken).ConfigureAwait(false))
            {
                await ReloadAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LastError = e.Message;
            Log.StartFailed(_logger, e);
        }
        finally
        {
            _started.TrySetResult();
        }

        var retries = RetryFailedLoadsAsync(stoppingToken);
        await FollowChangesAsync(watermark, stoppingToken).ConfigureAwait(false);
        await retries.ConfigureAwait(false);
    }

    /// <summary>
    /// While the last load of the served target failed (a corrupt or missing artifact, a registry error), tries again
    /// after 1 s, 2 s, 4 s … at most a minute apart, so a restored artifact is served without a manual reload; a success
    /// starts the schedule over.
    /// </summary>
    private async Task RetryFailedLoadsAsync(CancellationToken stoppingToken)
    {
        var pause = RetryFirst;
        NextRetry = _time.GetUtcNow() + pause;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RetryFirst, _time, stoppingToken).ConfigureAwait(false);
                if (LastError is null)
                {
                    pause = RetryFirst;
                    NextRetry = _time.GetUtcNow() + pause;
                    continue;
                }

                if (_time.GetUtcNow() < NextRetry)
                {
                    continue;
                }

                await ReloadAsync(stoppingToken).ConfigureAwait(false);
                pause = LastError is null ? RetryFirst : TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, RetryMax.Ticks));
                NextRetry = _time.GetUtcNow() + pause;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.RetryFailed(_logger, e);
            }
        }
    }

    /// <summary>Follows the change feed; a broken feed (database restart) is re-opened after a pause.</summary>
    private async Task FollowChangesAsync(long watermark, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _registry.WatchAsync(watermark, stoppingToken).ConfigureAwait(false))
                {
                    _health.Succeeded(DependencyHealth.Registry); // the feed delivers: an outage of it has ended
                    watermark = change.Sequence;
                    if (IsRelevant(change))
                    {
                        await ReloadAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (DependencyHealth.IsOutage(DependencyHealth.Registry, e, stoppingToken))
                {
                    _health.Failed(DependencyHealth.Registry, e); // logged once per outage
                }
                else
                {
                    Log.FeedFailed(_logger, e);
                }

                await Task.Delay(TimeSpan.FromSeconds(2), _time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private bool IsRelevant(RegistryChange change) =>
        change.Kind != RegistryChangeKind.VersionRegistered || _served.Values.Any(m => m.Version.ModelName == change.ModelName);

    private async Task<IReadOnlyList<RegistryChange>> SafeHistoryAsync(CancellationToken cancellationToken) =>
        await _registry.FindModelAsync(_options.ModelName, cancellationToken).ConfigureAwait(false) is null
            ? []
            : await _registry.GetHistoryAsync(_options.ModelName, cancellationToken).ConfigureAwait(false);

    private async Task<ReloadOutcome> ReloadTargetAsync(string target, bool force, CancellationToken cancellationToken)
    {
        _served.TryGetValue(target, out var current);
        try
        {
            var version = await ResolveAsync(target, cancellationToken).ConfigureAwait(false);
            if (version is null || (!force && current is not null && current.Version.Version == version.Version && current.Version.ModelName == version.ModelName))
            {
                // Nothing newer to serve. A target that vanished (stage emptied) keeps serving what it has.
                return new ReloadOutcome(Describe(target), current?.Version.Version, current?.Version.Version, null);
            }

            var started = _time.GetTimestamp();
            var model = await LoadAsync(version, cancellationToken).ConfigureAwait(false);
            _served[target] = model; // the swap: one reference write; requests in flight keep the old object
            if (target == DefaultTarget)
            {
                LastError = null;
            }

            _metrics.ModelLoaded(target, model, ServedAs(target, model), _time.GetElapsedTime(started));
            Log.Swapped(_logger, Describe(target), current?.Version.Version, version.Version);
            Swapped?.Invoke(target == DefaultTarget ? null : target, model);
            return new ReloadOutcome(Describe(target), current?.Version.Version, version.Version, null);
        }
        catch (Exception e) when (e is RegistryException or ModelFormatException or IOException or InvalidDataException or InvalidOperationException or System.Data.Common.DbException or UnknownAlgorithmException)
        {
            if (target == DefaultTarget)
            {
                LastError = e.Message;
            }

            _metrics.ModelLoadFailed(target == DefaultTarget ? _options.ModelName : target);
            Log.LoadFailed(_logger, e, Describe(target));
            return new ReloadOutcome(Describe(target), current?.Version.Version, current?.Version.Version, e.Message);
        }
    }

    /// <summary>The stage or alias a target serves a version as, for the <c>recsys.model.version</c> gauge.</summary>
    private string ServedAs(string target, ServedModel model) => target switch
    {
        DefaultTarget => _options.Alias is { } alias ? "alias:" + alias : _options.Stage.ToString(),
        _ when model.Version.ModelName == _options.ModelName => "alias:" + target,
        _ => _options.Stage.ToString(),
    };

    private string Describe(string target) =>
        target == DefaultTarget ? $"{_options.ModelName}@{_options.Alias ?? _options.Stage.ToString()}" : target;

    private async Task<ModelVersion?> ResolveAsync(string target, CancellationToken cancellationToken)
    {
        if (target == DefaultTarget)
        {
            if (await _registry.FindModelAsync(_options.ModelName, cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }

            return _options.Alias is { } alias
                ? await _registry.GetByAliasAsync(_options.ModelName, alias, cancellationToken).ConfigureAwait(false)
                : await _registry.GetByStageAsync(_options.ModelName, _options.Stage, cancellationToken).ConfigureAwait(false);
        }

        // An alias of the served model first, then another registered model at the configured stage.
        if (await _registry.FindModelAsync(_options.ModelName, cancellationToken).ConfigureAwait(false) is not null
            && await _registry.GetByAliasAsync(_options.ModelName, target, cancellationToken).ConfigureAwait(false) is { } byAlias)
        {
            return byAlias;
        }

        if (await _registry.FindModelAsync(target, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new UnknownAlgorithmException($"Unknown algorithm '{target}': it is neither an alias of model '{_options.ModelName}' nor a registered model.");
        }

        return await _registry.GetByStageAsync(target, _options.Stage, cancellationToken).ConfigureAwait(false)
            ?? throw new UnknownAlgorithmException($"Model '{target}' has no {_options.Stage} version to serve.");
    }

    /// <summary>Reads (hash-verified by the registry), deserializes and exercises the version before it can be swapped in.</summary>
    private async Task<ServedModel> LoadAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Source.StartActivity("recsys.model.load");
        activity?.SetTag(RecsysTelemetry.ModelName, version.ModelName);
        activity?.SetTag(RecsysTelemetry.ModelVersion, version.Version);
        var package = await _format.ReadVersionAsync(_registry, version, cancellationToken).ConfigureAwait(false);
        var model = new ServedModel(package.Model, package.ItemMetadata ?? _movies.Value, version, _time.GetUtcNow());
        if (model.Model.Users.Count > 0)
        {
            Span<ScoredItem> probe = stackalloc ScoredItem[1];
            model.Model.Recommend(0, probe);
        }

        return model;
    }

    /// <summary>
    /// Bootstraps only a registry that holds no version of the model at all, under a registry-wide lock so that of
    /// several replicas starting together exactly one trains; the others wait for it and then load its version. A
    /// registry with versions (even ones that cannot be loaded) is never changed here. Returns whether anything
    /// may have been registered (so a reload is due).
    /// </summary>
    private async Task<bool> BootstrapIfEmptyAsync(CancellationToken cancellationToken)
    {
        var lockName = $"bootstrap:{_options.ModelName}";
        var owner = $"bootstrap-{Guid.NewGuid():N}";
        var waited = false;
        IAsyncDisposable? bootstrapLock;
        while ((bootstrapLock = await _runs.TryLockModelAsync(lockName, owner, cancellationToken).ConfigureAwait(false)) is null)
        {
            if (!waited)
            {
                Log.BootstrapWaiting(_logger, _options.ModelName);
                waited = true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), _time, cancellationToken).ConfigureAwait(false);
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
                else if (model == _options.ModelName && Current is null && !waited)
                {
                    Log.BootstrapSkipped(_logger, model, versions, LastError ?? $"no version at {Describe(DefaultTarget)}");
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
        _options.Bootstrap.Companions.Select(c => (c.Key, c.Value)).Prepend((_options.ModelName, _options.Bootstrap.Algorithm));

    private async Task<int> VersionCountAsync(string model, CancellationToken cancellationToken) =>
        await _registry.FindModelAsync(model, cancellationToken).ConfigureAwait(false) is null
            ? 0
            : (await _registry.ListVersionsAsync(model, cancellationToken).ConfigureAwait(false)).Count;

    /// <summary>
    /// For each model without versions, one retraining run through the registered <see cref="IModelBootstrapper"/>
    /// (Recsys.Retraining's, trigger <c>bootstrap</c>, in the run history): load, holdout split, train the one
    /// candidate, evaluate, refit on all the data (unless turned off), register and promote on the metric its purpose
    /// makes meaningful. A host serving another stage or an alias then gets the version there.
    /// </summary>
    private async Task BootstrapAsync(IReadOnlyList<(string Model, string Algorithm)> targets, CancellationToken cancellationToken)
    {
        var bootstrap = _options.Bootstrap;
        var bootstrapper = _bootstrapper ?? throw new InvalidOperationException(
            "Recsys:Bootstrap:Enabled is set but nothing can train the first version: add the Recsys.Retraining package and call services.AddRecsysBootstrap() (or AddRetraining(…), which adds it).");
        foreach (var (name, algorithm) in targets)
        {
            Log.Bootstrapping(_logger, $"{name} ({algorithm})", bootstrap.DataPath is { } data ? $"file {Path.GetFileName(data)}" : "the built-in synthetic data");
            var run = await bootstrapper.BootstrapAsync(
                new ModelBootstrapRequest(name, algorithm)
                {
                    DataPath = bootstrap.DataPath,
                    MoviesPath = _options.MoviesPath,
                    TestFraction = bootstrap.TestFraction,
                    Refit = bootstrap.Refit,
                    Seed = bootstrap.Seed,
                },
                cancellationToken).ConfigureAwait(false);
            if (run.State != RunState.Succeeded)
            {
                throw new InvalidOperationException($"Bootstrapping model '{name}' ({algorithm}) failed in run {run.Id}: {run.Error ?? run.State.ToString()}.");
            }

            var production = await _registry.GetByStageAsync(name, ModelStage.Production, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Bootstrapping model '{name}' ({algorithm}) promoted nothing: {run.Decision}");
            if (_options.Alias is { } alias && name == _options.ModelName)
            {
                await _registry.SetAliasAsync(name, alias, production.Version, "bootstrap", "the registry held no version of the model", cancellationToken).ConfigureAwait(false);
            }
            else if (_options.Stage != ModelStage.Production)
            {
                await _registry.TransitionStageAsync(name, production.Version, _options.Stage, archiveExisting: true, "bootstrap", "the registry held no version of the model", cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
