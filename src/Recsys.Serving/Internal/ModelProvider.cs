using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.Serving;

/// <summary>
/// Keeps the served models and swaps new versions in atomically: which version a target serves is
/// <see cref="ModelTargets"/>' answer, reading it is <see cref="ModelLoader"/>'s; the first version of an empty
/// registry is trained by a registered <see cref="IModelBootstrapper"/> (Recsys.Retraining's hosted service), which the
/// start-up waits for; following the registry's changes is <see cref="ModelChangeFeed"/>'s. Reloads on the registry's change feed, on demand and (after a failed
/// load) on a backing-off retry; a failed load leaves the previous version serving and is reported.
/// </summary>
internal sealed class ModelProvider : BackgroundService
{
    private const string DefaultTarget = ModelTargets.Default;

    private readonly IModelRegistry _registry;
    private readonly RecommenderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelProvider> _logger;
    private readonly RecommenderMetrics _metrics;
    private readonly DependencyHealth _health;
    private readonly ModelTargets _targets;
    private readonly ModelLoader _loader;
    private readonly IModelBootstrapper? _bootstrapper;
    private readonly bool _bootstrapConfigured;
    private readonly ConcurrentDictionary<string, ServedModel> _served = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ModelProvider(IModelRegistry registry, IOptions<RecommenderOptions> options, TimeProvider time, ILoggerFactory loggers, RecommenderMetrics metrics, DependencyHealth health, IModelBootstrapper? bootstrapper = null, ModelFormat? format = null, IConfiguration? configuration = null)
    {
        _registry = registry;
        _options = options.Value;
        _time = time;
        _logger = loggers.CreateLogger<ModelProvider>();
        _metrics = metrics;
        _health = health;
        _targets = new ModelTargets(registry, _options);
        _loader = new ModelLoader(registry, format ?? ModelFormat.Default, _options, time);
        _bootstrapper = bootstrapper;
        _bootstrapConfigured = bool.TryParse(configuration?["Recsys:Bootstrap:Enabled"], out var enabled) && enabled;
    }

    /// <summary>The model of the configured stage or alias, or null while there is none.</summary>
    public ServedModel? Current => _served.TryGetValue(DefaultTarget, out var model) ? model : null;

    /// <summary>Completes when the first load attempt (after the bootstrap, if one is registered) has finished.</summary>
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

            var version = await _targets.ResolveAsync(algorithm, cancellationToken).ConfigureAwait(false);
            if (version is null)
            {
                return null;
            }

            var started = _time.GetTimestamp();
            var model = await _loader.LoadAsync(version, cancellationToken).ConfigureAwait(false);
            _served[algorithm] = model;
            _metrics.ModelLoaded(algorithm, model, _targets.ServedAs(algorithm, model), _time.GetElapsedTime(started));
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
            var history = await _registry.GetHistoryOrEmptyAsync(_options.ModelName, stoppingToken).ConfigureAwait(false);
            watermark = history.Count > 0 ? history[^1].Sequence : 0;
            await ReloadAsync(stoppingToken).ConfigureAwait(false);
            await AwaitBootstrapAsync(stoppingToken).ConfigureAwait(false);
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
        await new ModelChangeFeed(_registry, _health, _time, _logger, IsRelevant, ReloadAsync).FollowAsync(watermark, stoppingToken).ConfigureAwait(false);
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

    private bool IsRelevant(RegistryChange change) =>
        change.Kind != RegistryChangeKind.VersionRegistered || _served.Values.Any(m => m.Version.ModelName == change.ModelName);

    /// <summary>
    /// Waits for the registered bootstrap (it may register versions, or another replica's may) and loads what it put
    /// at the served stage or alias. Serving never trains: without a bootstrapper, a host configured to bootstrap says
    /// which call is missing.
    /// </summary>
    private async Task AwaitBootstrapAsync(CancellationToken stoppingToken)
    {
        if (_bootstrapper is null)
        {
            if (_bootstrapConfigured && Current is null && (await _registry.ListVersionsOrEmptyAsync(_options.ModelName, stoppingToken).ConfigureAwait(false)).Count == 0)
            {
                LastError = $"The registry holds no version of '{_options.ModelName}', and Recsys:Bootstrap:Enabled is set but nothing can train the first version: add the Recsys.Retraining package and call services.AddRecsysBootstrap().";
            }

            return;
        }

        if (_bootstrapper.Models.Count == 0)
        {
            return;
        }

        try
        {
            await _bootstrapper.Completion.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await ReloadAsync(stoppingToken).ConfigureAwait(false); // another replica may have bootstrapped meanwhile
            if (Current is null)
            {
                LastError = e.Message;
                Log.StartFailed(_logger, e);
            }

            return;
        }

        await ReloadAsync(stoppingToken).ConfigureAwait(false);
        if (Current is null && !_bootstrapper.Models.Contains(_options.ModelName))
        {
            LastError = $"{LastError} The bootstrap covers {string.Join(", ", _bootstrapper.Models.Select(m => $"'{m}'"))}, not the served model '{_options.ModelName}': set BootstrapOptions.ModelName (Recsys:ModelName).";
        }
    }

    private async Task<ReloadOutcome> ReloadTargetAsync(string target, bool force, CancellationToken cancellationToken)
    {
        _served.TryGetValue(target, out var current);
        try
        {
            var version = await _targets.ResolveAsync(target, cancellationToken).ConfigureAwait(false);
            if (version is null || (!force && current is not null && current.Version.Version == version.Version && current.Version.ModelName == version.ModelName))
            {
                // Nothing newer to serve. A target that vanished (stage emptied) keeps serving what it has.
                return new ReloadOutcome(_targets.Describe(target), current?.Version.Version, current?.Version.Version, null);
            }

            var started = _time.GetTimestamp();
            var model = await _loader.LoadAsync(version, cancellationToken).ConfigureAwait(false);
            _served[target] = model; // the swap: one reference write; requests in flight keep the old object
            if (target == DefaultTarget)
            {
                LastError = null;
            }

            _metrics.ModelLoaded(target, model, _targets.ServedAs(target, model), _time.GetElapsedTime(started));
            Log.Swapped(_logger, _targets.Describe(target), current?.Version.Version, version.Version);
            Swapped?.Invoke(target == DefaultTarget ? null : target, model);
            return new ReloadOutcome(_targets.Describe(target), current?.Version.Version, version.Version, null);
        }
        catch (Exception e) when (e is RegistryException or ModelFormatException or IOException or InvalidDataException or InvalidOperationException or System.Data.Common.DbException or UnknownAlgorithmException)
        {
            if (target == DefaultTarget)
            {
                LastError = e.Message;
            }

            _metrics.ModelLoadFailed(target == DefaultTarget ? _options.ModelName : target);
            Log.LoadFailed(_logger, e, _targets.Describe(target));
            return new ReloadOutcome(_targets.Describe(target), current?.Version.Version, current?.Version.Version, e.Message);
        }
    }
}
