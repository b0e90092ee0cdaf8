using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Retraining.Internal;
using Recsys.Runs;

namespace Recsys.Retraining;

/// <summary>
/// The retraining flow: load → split → train the candidates in parallel → evaluate every candidate and the current
/// Production model on the same test split → refit each candidate on all the loaded data (unless
/// <see cref="RetrainingOptions.Refit"/> is off) → register each refit with its holdout metrics (those meaningful
/// for its purpose), parameters and lineage → apply the promotion policy to the candidates and Production that the
/// primary metric can judge (the others are skipped, with the reason in the decision). One run per model at a time across all workers (the run store's model lock); every step and
/// attempt is recorded in the run history. This class coordinates runs (the lock, the run record, recovery of a dead
/// worker's runs, trigger counts, <see cref="RunFinished"/>); the candidate steps are an internal pipeline's, and
/// promotion and retention are classes of their own.
/// </summary>
public sealed class RetrainingService : IRetrainingLauncher
{

    private readonly ModelFormat _format;
    private readonly IModelRegistry _registry;
    private readonly IRunStore _runs;
    private readonly IInteractionSource _source;
    private readonly IInteractionStore? _interactions;
    private readonly RetrainingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RetrainingService> _logger;
    private readonly RetrainingTelemetry _telemetry;
    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>Creates the service.</summary>
    /// <param name="registry">The registry candidates are registered in.</param>
    /// <param name="runs">The run history and locks (the registry's database).</param>
    /// <param name="source">Where runs load interactions.</param>
    /// <param name="options">The flow's options.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="interactions">The interaction store, for data-volume triggers; optional.</param>
    /// <param name="time">The clock; optional.</param>
    /// <param name="meterFactory">Creates the <c>Recsys</c> meter; optional (without it the service creates its own meter).</param>
    /// <param name="modelFormat">
    /// Writes and reads registered models, with the serializers of custom model kinds; optional (the built-in models only).
    /// </param>
    public RetrainingService(IModelRegistry registry, IRunStore runs, IInteractionSource source, IOptions<RetrainingOptions> options, ILogger<RetrainingService> logger, IInteractionStore? interactions = null, TimeProvider? time = null, IMeterFactory? meterFactory = null, ModelFormat? modelFormat = null)
    {
        _format = modelFormat ?? ModelFormat.Default;
        _telemetry = new RetrainingTelemetry(meterFactory);
        ArgumentNullException.ThrowIfNull(options);
        _registry = registry;
        _runs = runs;
        _source = source;
        _interactions = interactions;
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Raised when a run of this service has finished (succeeded, failed or cancelled) and its history is written, with
    /// the finished run: what a host (or a test) waits on for runs it did not start itself, such as those of
    /// <c>POST /models/retrain</c>. Handlers run on the run's thread and must not throw.
    /// </summary>
    public event Action<RetrainingRun>? RunFinished;

    /// <summary>Gets the options.</summary>
    public RetrainingOptions Options => _options;

    /// <summary>Gets the run store.</summary>
    public IRunStore Runs => _runs;

    /// <inheritdoc/>
    string IRetrainingLauncher.ModelName => _options.ModelName;

    /// <inheritdoc/>
    string IRetrainingLauncher.Description =>
        $"A run of '{_options.ModelName}' trains {_options.Candidates.Count} candidate(s) ({string.Join(", ", _options.Candidates.Select(c => c.Name))}), evaluates them on a holdout and promotes the best only if it beats Production on the metric of its purpose (RMSE for rating models, NDCG@{_options.K} for top-N ones).";

    /// <summary>
    /// Starts a run in the background and returns its id once it holds the model's lock and is recorded.
    /// </summary>
    /// <param name="trigger">What started it (<c>api</c>, <c>schedule</c>, <c>manual</c>, <c>data-volume</c>).</param>
    /// <param name="cancellationToken">Cancels the run (including after this method returns).</param>
    /// <returns>The run id and the task of the whole run.</returns>
    /// <exception cref="RunInProgressException">Another run of the model is in progress.</exception>
    public async Task<(string RunId, Task<RetrainingRun> Completion)> StartAsync(string trigger, CancellationToken cancellationToken)
    {
        var (runId, runLock) = await BeginAsync(trigger, cancellationToken).ConfigureAwait(false);
        var completion = Task.Run(() => ExecuteAsync(runId, runLock, cancellationToken), CancellationToken.None);
        return (runId, completion);
    }

    /// <summary>Runs the flow to its end.</summary>
    /// <param name="trigger">What started it.</param>
    /// <param name="cancellationToken">Cancels the run (it is then recorded as cancelled).</param>
    /// <returns>The finished run as recorded.</returns>
    /// <exception cref="RunInProgressException">Another run of the model is in progress.</exception>
    public async Task<RetrainingRun> RunAsync(string trigger, CancellationToken cancellationToken)
    {
        var (runId, runLock) = await BeginAsync(trigger, cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(runId, runLock, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks runs of a dead worker abandoned and fails the PENDING versions they left, when no live run holds the
    /// model's lock. Workers call it at start-up.
    /// </summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the lock was free (and the clean-up ran).</returns>
    public async Task<bool> RecoverAsync(CancellationToken cancellationToken)
    {
        var recovery = $"recovery-{Guid.NewGuid():N}";
        var runLock = await _runs.TryLockModelAsync(_options.ModelName, recovery, cancellationToken).ConfigureAwait(false);
        if (runLock is null)
        {
            return false;
        }

        await using (runLock.ConfigureAwait(false))
        {
            await FailOrphanedVersionsAsync(recovery, cancellationToken).ConfigureAwait(false);
        }

        await SeedLastSuccessAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>How many interactions the store gained since the model's last run (null without a store).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The count.</returns>
    public async Task<long?> NewInteractionsAsync(CancellationToken cancellationToken) =>
        _interactions is null
            ? null
            : await NewInteractionsSinceAsync((await _runs.ListRunsAsync(_options.ModelName, 1, cancellationToken).ConfigureAwait(false)).FirstOrDefault(), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// How many interactions arrived since <paramref name="lastRun"/> (all of them without one): what the store gained
    /// plus the rows a versioned source's new versions added; null with neither a store nor a versioned source.
    /// </summary>
    internal async Task<long?> NewInteractionsSinceAsync(RetrainingRun? lastRun, CancellationToken cancellationToken) =>
        _interactions is null && _source is not IVersionedInteractionSource
            ? null
            : await CountInteractionsAsync(cancellationToken).ConfigureAwait(false) - (lastRun?.InteractionCount ?? 0);

    private async Task<long> CountInteractionsAsync(CancellationToken cancellationToken) =>
        (_interactions is null ? 0 : await _interactions.CountAsync(cancellationToken).ConfigureAwait(false))
        + (_source is IVersionedInteractionSource versioned ? await versioned.CountAddedRowsAsync(cancellationToken).ConfigureAwait(false) : 0);

    /// <summary>
    /// The lineage of a model trained on <paramref name="split"/>'s training part: fingerprint, counts, split, library version.
    /// </summary>
    /// <param name="split">The split the model was trained and measured on.</param>
    /// <returns>The lineage.</returns>
    public static ModelLineage LineageOf(DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        return ModelLifecycle.LineageOf(split.Train, split, refit: false);
    }

    private async Task<(string RunId, IAsyncDisposable Lock)> BeginAsync(string trigger, CancellationToken cancellationToken)
    {
        if (_options.Candidates.Count == 0)
        {
            throw new InvalidOperationException("RetrainingOptions.Candidates is empty: add at least one candidate.");
        }

        var runId = $"{_time.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        var runLock = await _runs.TryLockModelAsync(_options.ModelName, runId, cancellationToken).ConfigureAwait(false)
            ?? throw new RunInProgressException(_options.ModelName);
        try
        {
            await FailOrphanedVersionsAsync(runId, cancellationToken).ConfigureAwait(false);
            await SeedLastSuccessAsync(cancellationToken).ConfigureAwait(false);
            var count = await CountInteractionsAsync(cancellationToken).ConfigureAwait(false);
            await _runs.CreateRunAsync(new RetrainingRun(runId, _options.ModelName, trigger, RunState.Running, _owner, _time.GetUtcNow(), null, null, null, count, []), cancellationToken).ConfigureAwait(false);
            Log.RunStarted(_logger, runId, _options.ModelName, trigger);
            return (runId, runLock);
        }
        catch
        {
            await runLock.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>With the lock held, no other run is live: a PENDING version tagged by another run will never finish.</summary>
    private async Task FailOrphanedVersionsAsync(string runId, CancellationToken cancellationToken)
    {
        var versions = new List<ModelVersion>();
        foreach (var model in _options.Candidates.Select(TargetOf).Prepend(_options.ModelName).Distinct(StringComparer.Ordinal))
        {
            versions.AddRange(await _registry.ListVersionsOrEmptyAsync(model, cancellationToken).ConfigureAwait(false));
        }

        foreach (var version in versions.Where(v => v.Status == ModelVersionStatus.Pending && v.Tags.TryGetValue("run_id", out var owner) && owner != runId))
        {
            if (await _registry.FailPendingVersionAsync(version.ModelName, version.Version, cancellationToken).ConfigureAwait(false))
            {
                Log.OrphanFailed(_logger, version.ModelName, version.Version, version.Tags["run_id"]);
            }
        }
    }

    private async Task<RetrainingRun> ExecuteAsync(string runId, IAsyncDisposable runLock, CancellationToken cancellationToken)
    {
        await using (runLock.ConfigureAwait(false))
        {
            using var activity = RetrainingTelemetry.Source.StartActivity("recsys.retraining.run");
            activity?.SetTag(RecsysTelemetry.ModelName, _options.ModelName);
            var flow = new FlowRun(runId, _runs, _time, _logger, _telemetry);
            var started = Stopwatch.GetTimestamp();
            RunState state;
            string? error = null;
            string? decision = null;
            try
            {
                // With a memory budget the source's size decides: in memory, or from disk when it would not fit.
                var disk = await DiskPipeline.ChooseAsync(flow, _registry, _source, _options, _format, _logger, cancellationToken).ConfigureAwait(false);
                decision = disk is not null
                    ? await disk.RunAsync(flow, cancellationToken).ConfigureAwait(false)
                    : await new CandidatePipeline(_registry, _runs, _source, _options, _format, _logger).RunAsync(flow, cancellationToken).ConfigureAwait(false);
                state = RunState.Succeeded;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                state = RunState.Cancelled;
                error = "cancelled";
            }
            catch (Exception e) when (e is StepFailedException or InvalidOperationException)
            {
                state = RunState.Failed;
                error = e.Message;
            }

            await _runs.FinishRunAsync(runId, state, error, decision, CancellationToken.None).ConfigureAwait(false);
            _telemetry.RunFinished(Targets, state, Stopwatch.GetElapsedTime(started), _time.GetUtcNow());
            activity?.SetTag(RecsysTelemetry.Result, state.ToString());
            Log.RunFinished(_logger, runId, state, decision ?? error);
            var finished = (await _runs.GetRunAsync(runId, CancellationToken.None).ConfigureAwait(false))!;
            RunFinished?.Invoke(finished);
            return finished;
        }
    }

    private string TargetOf(CandidateOptions candidate) => candidate.ModelName ?? _options.ModelName;

    /// <summary>Every model a run trains: the model and its companions.</summary>
    private IEnumerable<string> Targets => _options.Candidates.Select(TargetOf).Prepend(_options.ModelName).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Seeds the last-success gauge from the run history (its latest successful run), so a restarted worker reports
    /// when the models were last retrained, not nothing; a history that cannot be read leaves the gauge to the next run.
    /// </summary>
    private async Task SeedLastSuccessAsync(CancellationToken cancellationToken)
    {
        try
        {
            var runs = await _runs.ListRunsAsync(_options.ModelName, 50, cancellationToken).ConfigureAwait(false);
            if (runs.FirstOrDefault(r => r.State == RunState.Succeeded && r.FinishedAt is not null) is { FinishedAt: { } finished })
            {
                foreach (var model in Targets)
                {
                    RetrainingTelemetry.Succeeded(model, finished);
                }
            }
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or TimeoutException or InvalidOperationException)
        {
            Log.SeedFailed(_logger, e);
        }
    }

    /// <summary>The registry metrics of an evaluation: every finite catalogued metric (see <see cref="MetricCatalog.MetricsOf"/> for those meaningful for one purpose).</summary>
    /// <param name="result">The evaluation.</param>
    /// <returns>The metrics by name.</returns>
    public static Dictionary<string, double> MetricsOf(EvaluationResult result) => MetricCatalog.MetricsOf(result, ModelPurpose.Both);
}
