using System.Globalization;
using Microsoft.Extensions.Logging;
using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Recommenders;
using Recsys.Registry;
using Recsys.Runs;
using Recsys.Tuning;

namespace Recsys.Retraining.Internal;

/// <summary>
/// The candidate pipeline of one run, inside the run <see cref="RetrainingService"/> coordinates (its lock, record,
/// recovery and events): load → split (a temporal holdout of interactions newer than Production's training data when
/// there are enough, else the configured split) → tune → train the candidates in parallel → evaluate them and each
/// target's Production on the same test part → refit on all the data → register → promote
/// (<see cref="CandidatePromoter"/>) → retention (<see cref="VersionRetention"/>). Each is a step of
/// <see cref="FlowRun"/>, with its own attempts and history.
/// </summary>
internal sealed class CandidatePipeline(IModelRegistry registry, IRunStore runs, IInteractionSource source, RetrainingOptions options, ModelFormat format, ILogger logger)
{
    /// <summary>The fewest held-out interactions newer than Production's training data that make a temporal holdout.</summary>
    private const int MinFreshHoldout = 10;

    private readonly IModelRegistry _registry = registry;
    private readonly IRunStore _runs = runs;
    private readonly IInteractionSource _source = source;
    private readonly RetrainingOptions _options = options;
    private readonly ModelFormat _format = format;
    private readonly ILogger _logger = logger;
    private readonly RunSteps _steps = new(registry, options, logger);

    /// <summary>Runs the candidate steps of one run, from load to retention; returns the promotion decision.</summary>
    public async Task<string> RunAsync(FlowRun flow, CancellationToken cancellationToken)
    {
        var data = await flow.StepAsync(
            "load",
            _options.Load,
            ct => _source.LoadAsync(ct),
            d => string.Create(CultureInfo.InvariantCulture, $"{_source.Description}: {d.Count:N0} interactions, {d.Users.Count:N0} users, {d.Items.Count:N0} items"),
            cancellationToken).ConfigureAwait(false);

        // Interactions newer than what the served Production learned are the fairest evidence: the newest half of them is
        // held out, the served artifact is judged on it as is, and candidates train on everything else (a refresh).
        // Without newer interactions the configured split is used and Production's recipe is retrained on it.
        var (split, served) = await flow.StepAsync(
            "split",
            _options.Registry,
            async ct =>
            {
                var production = await ProductionVersionAsync(_options.ModelName, ct).ConfigureAwait(false);
                var fingerprint = data.ComputeFingerprint();

                // A handful of newer interactions is no evidence to compare models on: below MinFreshHoldout held out
                // (or the policy's MinTestSize), the configured split decides (a same-recipe retrain is still a refresh).
                return production?.Lineage?.NewestTimestamp is { } trainedUpTo && DataSplitter.NewerThan(data, trainedUpTo) is { } fresh
                    && fresh.Test.Count >= Math.Max(MinFreshHoldout, _options.Promotion.MinTestSize)
                    ? (split: fresh, served: new ServedTraining(trainedUpTo, fingerprint))
                    : (split: SplitSpecification.Parse(_options.Split).Apply(data, _options.Seed)[0], served: new ServedTraining(null, fingerprint));
            },
            r => string.Create(CultureInfo.InvariantCulture, $"{r.split.Description}: {r.split.Train.Count:N0} train, {r.split.Test.Count:N0} test")
                + (r.served.TrainedUpTo is null ? "" : " (a temporal holdout of interactions newer than Production's training data)"),
            cancellationToken).ConfigureAwait(false);

        var metadata = _options.MoviesPath is { } movies ? Recsys.Data.MovieLens.ReadMovies(movies) : null;

        // Train in parallel, bounded; each candidate is a step of its own (its own attempts and errors).
        // Each candidate's settings: its configured ones, or the best of its search (found on the training part only).
        var evaluation = new EvaluationOptions { K = _options.K, RelevanceThreshold = _options.RelevanceThreshold };
        var settings = await TuneAllAsync(flow, split.Train, evaluation, cancellationToken).ConfigureAwait(false);
        var trained = await TrainAllAsync(flow, "train", split.Train, settings, cancellationToken).ConfigureAwait(false);
        var purposes = trained.Select(t => ModelLifecycle.PurposeOf(t.Model, t.Candidate.Purpose)).ToArray();

        var targets = _steps.Targets();
        var (scores, productions) = await flow.StepAsync(
            "evaluate",
            _options.Registry,
            async ct =>
            {
                var candidateScores = trained.Select(t => Evaluator.Evaluate(t.Model, split.Test, evaluation, ct)).ToArray();
                var current = new Dictionary<string, ProductionEvaluation?>(StringComparer.Ordinal);
                foreach (var target in targets)
                {
                    current[target] = await EvaluateProductionAsync(target, split, served, evaluation, ct).ConfigureAwait(false);
                }

                return (candidateScores, current);
            },
            r => string.Join("; ", r.candidateScores.Select((s, k) => $"{_steps.Label(trained[k].Candidate)} {Describe(s)}"))
                + string.Concat(targets.Select(t => r.current[t] is { } p
                    ? $"; {_steps.Prefix(t)}Production v{p.Version.Version} {Describe(p.Score)} ({p.How})"
                    : $"; {_steps.Prefix(t)}no Production model")),
            cancellationToken).ConfigureAwait(false);

        // Evaluate, then refit: what is registered and served learns every interaction the run loaded.
        var artifacts = _options.Refit ? await TrainAllAsync(flow, "refit", data, settings, cancellationToken).ConfigureAwait(false) : trained;

        var registered = await flow.StepAsync(
            "register",
            _options.Registry,
            async ct =>
            {
                // One lineage for every candidate: its fingerprints hash the whole data set, so compute them once.
                var lineage = ModelLifecycle.LineageOf(_options.Refit ? data : split.Train, split, _options.Refit) with
                {
                    DataSource = _source.Description,
                    DataVersion = (_source as IVersionedInteractionSource)?.LoadedVersion,
                };
                var versions = new List<Registration>();
                for (var k = 0; k < trained.Length; k++)
                {
                    // A version of the same recipe trained on the same data is already there (a run that changed nothing
                    // for this model): it is not registered again. One this run registered (a retried step) is reused.
                    var parameters = Recipes.ParametersOf(Recipes.AlgorithmOf(trained[k].Candidate), settings[k]);
                    var same = (await _registry.ListVersionsOrEmptyAsync(_steps.TargetOf(trained[k].Candidate), ct).ConfigureAwait(false)).FirstOrDefault(v =>
                        v.Status == ModelVersionStatus.Ready && v.Lineage is { } l && l.DataFingerprint == lineage.DataFingerprint && l.Refit == lineage.Refit
                        && Recipes.SameRecipe(trained[k].Candidate.Name, parameters, v));
                    if (same is not null && (same.Tags.GetValueOrDefault("run_id") == flow.RunId || trained[k].Candidate.Trainer is null))
                    {
                        versions.Add(new Registration(k, same, New: same.Tags.GetValueOrDefault("run_id") == flow.RunId));
                        continue;
                    }

                    versions.Add(new Registration(k, await RegisterAsync(flow.RunId, trained[k].Candidate, settings[k], artifacts[k].Model, MetricCatalog.MetricsOf(scores[k], purposes[k]), purposes[k], lineage, metadata, ct).ConfigureAwait(false), New: true));
                }

                return versions;
            },
            v => string.Join(", ", v.Select(x => x.New ? $"{_steps.Prefix(x.Version.ModelName)}v{x.Version.Version} ({x.Version.Trainer})" : $"{_steps.Prefix(x.Version.ModelName)}{x.Version.Trainer} unchanged (v{x.Version.Version} has its recipe and data)"))
                + (_options.Refit ? string.Create(CultureInfo.InvariantCulture, $", refit on all {data.Count:N0} interactions") : ""),
            cancellationToken).ConfigureAwait(false);

        var decision = await _steps.PromoteAsync(flow, targets, registered, purposes, productions, cancellationToken).ConfigureAwait(false);
        await _steps.RetainAsync(flow, targets, cancellationToken).ConfigureAwait(false);
        return decision;
    }

    /// <summary>What the run's split is measured against: the newest timestamp Production was trained on (when the split holds out newer interactions), and the loaded data's fingerprint.</summary>
    private sealed record ServedTraining(long? TrainedUpTo, string Fingerprint);


    private async Task<ProductionEvaluation?> EvaluateProductionAsync(string model, DataSplit split, ServedTraining served, EvaluationOptions evaluation, CancellationToken cancellationToken)
    {
        if (await CurrentProductionAsync(model, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            return null;
        }

        var purpose = ModelLifecycle.PurposeOf(current.Model, MetricCatalog.Parse(current.Version.Tags.GetValueOrDefault(ModelRegistryPromotion.PurposeTag)));
        var lineage = current.Version.Lineage;
        var changed = lineage is null || !string.Equals(lineage.DataFingerprint, served.Fingerprint, StringComparison.Ordinal);
        if (served.TrainedUpTo is { } cutoff && lineage?.NewestTimestamp is { } newest && newest <= cutoff)
        {
            // The holdout is newer than everything this version learned: judge the served artifact as is, with each
            // user's known history excluded as the host excludes it.
            var asServed = new ServedAsIs(current.Model, split.Train);
            return new ProductionEvaluation(current.Version, Evaluator.Evaluate(asServed, split.Test, evaluation, cancellationToken), purpose, "its served artifact as is, on interactions newer than its training data", DataChanged: true);
        }

        // Production's artifact was refit on data that includes this split's test part; judging it on that part
        // would be unfair both ways (seen items are excluded from its lists, its ratings were learned). So its recipe
        // (trainer and recorded parameters) is retrained on the same training part instead.
        var recipe = Recipes.RecipeOf(current.Version);
        var comparable = recipe is null ? current.Model : await Task.Run(() => recipe.Fit(split.Train, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new ProductionEvaluation(
            current.Version,
            Evaluator.Evaluate(comparable, split.Test, evaluation, cancellationToken),
            purpose,
            recipe is not null ? "its trainer and parameters retrained on this split" : "its stored artifact: not a built-in trainer, so it may have seen the test part",
            changed);
    }

    /// <summary>Each candidate's settings: its own, or the best trial of its search on <paramref name="training"/> (one step per search, one per trial).</summary>
    private async Task<AlgorithmSettings[]> TuneAllAsync(FlowRun flow, InteractionDataset training, EvaluationOptions evaluation, CancellationToken cancellationToken)
    {
        var settings = _options.Candidates.Select(static c => c.Settings).ToArray();
        for (var k = 0; k < settings.Length; k++)
        {
            var candidate = _options.Candidates[k];
            if (candidate.Search is not { } space || candidate.Trainer is not null)
            {
                continue;
            }

            var name = $"tune {k + 1}: {_steps.Label(candidate)}";
            var validator = new HoldoutValidator(evaluation);

            // Built inside the step, so that a search the options did not validate fails this step and the run, named.
            var (search, result) = await flow.StepAsync(
                name,
                new StepPolicy { MaxAttempts = 1 },
                async ct =>
                {
                    var plan = new HyperParameterSearch(candidate.Algorithm, candidate.Settings, space);
                    var found = await plan.RunAsync(training, validator, _options.MaxParallelism, (trial, token) => RecordTrialAsync(flow.RunId, name, plan, trial, token), ct).ConfigureAwait(false);
                    return (plan, found);
                },
                r => string.Create(CultureInfo.InvariantCulture, $"best trial {r.found.Best.Number} of {r.found.Trials.Count} ({r.found.Planned} planned): {r.found.Best.DescribeParameters()}, validation {r.found.Metric} {r.found.Best.Metric:F4}"),
                cancellationToken).ConfigureAwait(false);
            settings[k] = search.SettingsFor(result.Best.Parameters);
        }

        return settings;
    }

    /// <summary>One trial as a step of the run history: its parameters, metric and duration (a failed trial does not fail the run).</summary>
    private async ValueTask RecordTrialAsync(string runId, string search, HyperParameterSearch plan, TrialResult trial, CancellationToken cancellationToken)
    {
        var detail = trial.Error is null
            ? string.Create(CultureInfo.InvariantCulture, $"{trial.DescribeParameters()}: validation {plan.Metric} {trial.Metric:F4}")
            : trial.DescribeParameters();
        await _runs.RecordStepAsync(
            runId,
            new RunStep($"{search} trial {trial.Number}", trial.Error is null ? StepState.Succeeded : StepState.Failed, 1, trial.Started, trial.Started + trial.Duration, trial.Error, detail),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Trains every candidate on <paramref name="data"/> with its <paramref name="settings"/>, in parallel and bounded, one step per candidate.</summary>
    private async Task<(CandidateOptions Candidate, IRecommender Model)[]> TrainAllAsync(FlowRun flow, string stage, InteractionDataset data, AlgorithmSettings[] settings, CancellationToken cancellationToken)
    {
        var trained = new (CandidateOptions Candidate, IRecommender Model)[_options.Candidates.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, _options.Candidates.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelism, CancellationToken = cancellationToken },
            async (k, ct) =>
            {
                var candidate = _options.Candidates[k];
                var name = $"{stage} {k + 1}: {_steps.Label(candidate)}";
                var model = await _steps.TrainStepAsync(
                    flow,
                    name,
                    candidate,
                    (progress, token) => (candidate.Trainer?.Invoke() ?? RecommenderAlgorithms.Create(candidate.Algorithm, settings[k], HoldoutValidator.Default)).Fit(data, progress, token),
                    m => string.Create(CultureInfo.InvariantCulture, $"{m.Algorithm}: {data.Count:N0} interactions, {m.Users.Count:N0} users, {m.Items.Count:N0} items"),
                    ct).ConfigureAwait(false);
                trained[k] = (candidate, model);
            }).ConfigureAwait(false);
        return trained;
    }

    private Task<ModelVersion?> ProductionVersionAsync(string model, CancellationToken cancellationToken) => _steps.ProductionVersionAsync(model, cancellationToken);

    private async Task<(IRecommender Model, ModelVersion Version)?> CurrentProductionAsync(string model, CancellationToken cancellationToken)
    {
        if (await ProductionVersionAsync(model, cancellationToken).ConfigureAwait(false) is not { } version)
        {
            return null;
        }

        return ((await _format.ReadVersionAsync(_registry, version, cancellationToken).ConfigureAwait(false)).Model, version);
    }

    private async Task<ModelVersion> RegisterAsync(string runId, CandidateOptions candidate, AlgorithmSettings settings, IRecommender model, IReadOnlyDictionary<string, double> metrics, ModelPurpose purpose, ModelLineage lineage, ItemMetadata? metadata, CancellationToken cancellationToken)
    {
        var artifact = _format.SerializeToTemporaryFile(model, metadata);
        await using var disposeArtifact = artifact.ConfigureAwait(false);
        return await _registry.RegisterVersionAsync(
            _steps.TargetOf(candidate),
            new NewModelVersion
            {
                Trainer = candidate.Name,
                Parameters = Recipes.ParametersOf(Recipes.AlgorithmOf(candidate), settings),
                Metrics = metrics,
                Lineage = lineage,
                Tags = ModelLifecycle.Tags(purpose, ("run_id", runId)),
                Description = $"retraining run {runId} on {_source.Description}",
                Actor = $"run {runId}",
            },
            artifact,
            cancellationToken).ConfigureAwait(false);
    }

    private static string Describe(EvaluationResult r) => RunSteps.Describe(r);
}
