using System.Globalization;
using Microsoft.Extensions.Logging;
using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Factorization;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Retraining.Internal;

/// <summary>
/// The candidate pipeline of a run whose data would not fit <see cref="RetrainingOptions.MemoryBudget"/>: size → load
/// (spooled to disk, a share of the pairs held out in memory by a hash of their ids) → train each candidate from block
/// files on disk (biased-mf) → evaluate the candidates and each target's Production on the held-out pairs (RMSE, MAE)
/// → register the model files → promote → retention. No tuning and no refit: a model of all the data but the held-out
/// pairs is what is evaluated, registered and served. The held-out pairs are the same every run (the hash depends on the
/// ids and the seed only), so a Production trained this way never learned them and is judged as it is served.
/// </summary>
internal sealed class DiskPipeline(IModelRegistry registry, ISpoolingInteractionSource source, RetrainingOptions options, ModelFormat format, ILogger logger)
{
    private readonly RunSteps _steps = new(registry, options, logger);

    /// <summary>
    /// The "size" step of a run with a memory budget whose source can be spooled: counts the source's rows and says
    /// whether they would fit; returns the pipeline to run from disk, or null to run in memory.
    /// </summary>
    public static async Task<DiskPipeline?> ChooseAsync(FlowRun flow, IModelRegistry registry, IInteractionSource source, RetrainingOptions options, ModelFormat format, ILogger logger, CancellationToken cancellationToken)
    {
        if (options.MemoryBudget is not { } budget)
        {
            return null;
        }

        if (source is not ISpoolingInteractionSource spooling)
        {
            // Said in the run's history rather than ignored: the budget cannot apply to this source.
            await flow.StepAsync(
                "size",
                options.Load,
                _ => Task.FromResult(0),
                _ => $"{source.Description} cannot be read to disk (files, Parquet and Delta tables can; an interaction store cannot yet): the run trains in memory, whatever Retraining:MemoryBudget says",
                cancellationToken).ConfigureAwait(false);
            return null;
        }

        var rows = await flow.StepAsync(
            "size",
            options.Load,
            spooling.CountRowsAsync,
            r => string.Create(CultureInfo.InvariantCulture, $"{source.Description}: {r:N0} rows need about {Bytes(r * InteractionSource.InMemoryBytesPerRating)} to train in memory, ")
                + (r * InteractionSource.InMemoryBytesPerRating > budget ? $"more than the memory budget of {Bytes(budget)}: the run trains from disk" : $"within the memory budget of {Bytes(budget)}"),
            cancellationToken).ConfigureAwait(false);
        if (rows * InteractionSource.InMemoryBytesPerRating <= budget)
        {
            return null;
        }

        var unsupported = options.Candidates.Where(c => c.Trainer is not null || c.Search is not null || !string.Equals(c.Algorithm, BiasedMatrixFactorizationTrainer.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (unsupported.Count > 0)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"{rows:N0} rows need more than Retraining:MemoryBudget ({Bytes(budget)}) to train in memory, and from disk only biased-mf without a search trains; these candidates cannot: {string.Join(", ", unsupported.Select(c => c.Trainer is not null ? $"{c.Name} (a custom trainer)" : c.Search is not null ? $"{c.Name} (a search)" : $"{c.Name} ({c.Algorithm})"))}."));
        }

        return new DiskPipeline(registry, spooling, options, format, logger);
    }

    /// <summary>Runs the steps from load to retention; returns the promotion decision.</summary>
    public async Task<string> RunAsync(FlowRun flow, CancellationToken cancellationToken)
    {
        var folder = options.SpoolDirectory ?? Path.GetTempPath();
        var fraction = options.DiskHoldoutFraction;
        var spool = await flow.StepAsync(
            "load",
            options.Load,
            ct => source.SpoolAsync(folder, fraction, options.Seed, ct),
            s => string.Create(CultureInfo.InvariantCulture, $"{source.Description}: {s.Count:N0} interactions spooled to disk, {s.Users.Count:N0} users, {s.Items.Count:N0} items; {s.Holdout?.Count ?? 0:N0} held out ({fraction:P2} of the pairs, by a hash of their ids)"),
            cancellationToken).ConfigureAwait(false);
        using (spool)
        {
            var holdout = spool.Holdout is { Count: > 0 } held ? held : throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"No pair of the {spool.Count:N0} spooled was held out at Retraining:DiskHoldoutFraction {fraction}: nothing to judge the models on; raise it."));
            var metadata = options.MoviesPath is { } movies ? MovieLens.ReadMovies(movies) : null;
            var candidates = options.Candidates;
            var fits = new OutOfCoreFit[candidates.Count];
            var paths = new string[candidates.Count];
            for (var k = 0; k < candidates.Count; k++)
            {
                var candidate = candidates[k];
                var name = $"train {k + 1}: {_steps.Label(candidate)}";
                paths[k] = Path.Combine(spool.Directory, $"candidate-{k + 1}.model");
                var path = paths[k];
                fits[k] = await _steps.TrainStepAsync(
                    flow,
                    name,
                    candidate,
                    (progress, token) => ((BiasedMatrixFactorizationTrainer)RecommenderAlgorithms.Create(candidate.Algorithm, candidate.Settings, HoldoutValidator.Default))
                        .FitToFile(spool, path, metadata, progress, token),
                    f => string.Create(CultureInfo.InvariantCulture, $"{f.Model.Algorithm} from disk: {f.Ratings:N0} interactions, {f.Model.Users.Count:N0} users, {f.Model.Items.Count:N0} items; {f.Groups} x {f.Groups} blocks, the largest {Bytes(f.LargestBlockBytes)}"),
                    cancellationToken).ConfigureAwait(false);
            }

            var targets = _steps.Targets();
            var purposes = candidates.Select(c => c.Purpose ?? ModelPurpose.RatingPrediction).ToArray();
            EvaluationResult[]? candidateScores = null;
            var (scores, productions) = await flow.StepAsync(
                "evaluate",
                options.Registry,
                async ct =>
                {
                    // Scored once (a retried attempt only reads Production again); then the candidates' factors are
                    // let go of before a Production's are read: one model's at a time.
                    candidateScores ??= [.. fits.Select(f => Evaluator.EvaluateRatings(f.Model, holdout))];
                    Array.Clear(fits);
                    var current = new Dictionary<string, ProductionEvaluation?>(StringComparer.Ordinal);
                    foreach (var target in targets)
                    {
                        current[target] = await EvaluateProductionAsync(target, spool, holdout, ct).ConfigureAwait(false);
                    }

                    return (candidateScores, current);
                },
                r => string.Join("; ", r.candidateScores.Select((s, k) => $"{_steps.Label(candidates[k])} {Describe(s)}"))
                    + string.Concat(targets.Select(t => r.current[t] is { } p
                        ? $"; {_steps.Prefix(t)}Production v{p.Version.Version} {Describe(p.Score)} ({p.How})"
                        : $"; {_steps.Prefix(t)}no Production model")),
                cancellationToken).ConfigureAwait(false);

            var registered = await flow.StepAsync(
                "register",
                options.Registry,
                async ct =>
                {
                    var lineage = new ModelLineage(
                        spool.Fingerprint,
                        spool.Count,
                        spool.Users.Count,
                        spool.Items.Count,
                        SplitDescription(fraction),
                        typeof(ModelFile).Assembly.GetName().Version?.ToString() ?? "unknown")
                    {
                        DataSource = source.Description,
                        DataVersion = (source as IVersionedInteractionSource)?.LoadedVersion,
                        Evaluation = new EvaluationLineage(SplitDescription(fraction), spool.Fingerprint, spool.Count, holdout.ComputeFingerprint(), holdout.Count),
                    };
                    var versions = new List<Registration>();
                    for (var k = 0; k < candidates.Count; k++)
                    {
                        var candidate = candidates[k];
                        var parameters = Recipes.ParametersOf(Recipes.AlgorithmOf(candidate), candidate.Settings);
                        var same = (await registry.ListVersionsOrEmptyAsync(_steps.TargetOf(candidate), ct).ConfigureAwait(false)).FirstOrDefault(v =>
                            v.Status == ModelVersionStatus.Ready && v.Lineage is { } l && l.DataFingerprint == lineage.DataFingerprint && !l.Refit
                            && Recipes.SameRecipe(candidate.Name, parameters, v));
                        if (same is not null)
                        {
                            versions.Add(new Registration(k, same, New: same.Tags.GetValueOrDefault("run_id") == flow.RunId));
                            continue;
                        }

                        var artifact = new FileStream(paths[k], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
                        await using (artifact.ConfigureAwait(false))
                        {
                            var version = await registry.RegisterVersionAsync(
                                _steps.TargetOf(candidate),
                                new NewModelVersion
                                {
                                    Trainer = candidate.Name,
                                    Parameters = parameters,
                                    Metrics = MetricCatalog.MetricsOf(scores[k], purposes[k]),
                                    Lineage = lineage,
                                    Tags = ModelLifecycle.Tags(purposes[k], ("run_id", flow.RunId)),
                                    Description = $"retraining run {flow.RunId} on {source.Description}, trained from disk",
                                    Actor = $"run {flow.RunId}",
                                },
                                artifact,
                                ct).ConfigureAwait(false);
                            versions.Add(new Registration(k, version, New: true));
                        }
                    }

                    return versions;
                },
                v => string.Join(", ", v.Select(x => x.New ? $"{_steps.Prefix(x.Version.ModelName)}v{x.Version.Version} ({x.Version.Trainer})" : $"{_steps.Prefix(x.Version.ModelName)}{x.Version.Trainer} unchanged (v{x.Version.Version} has its recipe and data)")),
                cancellationToken).ConfigureAwait(false);

            var decision = await _steps.PromoteAsync(flow, targets, registered, purposes, productions, cancellationToken).ConfigureAwait(false);
            await _steps.RetainAsync(flow, targets, cancellationToken).ConfigureAwait(false);
            return decision;
        }
    }

    private static string SplitDescription(double fraction) =>
        string.Create(CultureInfo.InvariantCulture, $"hash holdout {fraction:R} of the (user, item) pairs, trained from disk");

    private static string Describe(EvaluationResult r) =>
        string.Create(CultureInfo.InvariantCulture, $"rmse {r.Rmse:F4}, mae {r.Mae:F4}");

    private static string Bytes(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB"
        : (bytes / (double)(1L << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB";

    // Production's artifact as it is served, without its training items (a model of this size may not fit with them),
    // judged on the held-out pairs: fair when it was trained from disk with the same holdout, which it never learned.
    private async Task<ProductionEvaluation?> EvaluateProductionAsync(string model, InteractionSpool spool, InteractionDataset holdout, CancellationToken cancellationToken)
    {
        if (await _steps.ProductionVersionAsync(model, cancellationToken).ConfigureAwait(false) is not { } version)
        {
            return null;
        }

        var served = (await format.ReadVersionForPredictionAsync(registry, version, cancellationToken).ConfigureAwait(false)).Model;
        var purpose = ModelLifecycle.PurposeOf(served, MetricCatalog.Parse(version.Tags.GetValueOrDefault(ModelRegistryPromotion.PurposeTag)));
        var sameHoldout = version.Lineage?.Split == SplitDescription(options.DiskHoldoutFraction);
        return new ProductionEvaluation(
            version,
            Evaluator.EvaluateRatings(served, holdout),
            purpose,
            sameHoldout
                ? "its served artifact as is, on held-out pairs it never learned (it was trained from disk with the same holdout)"
                : "its served artifact as is: it was not trained with this holdout, so it may have learned the held-out pairs",
            DataChanged: !string.Equals(version.Lineage?.DataFingerprint, spool.Fingerprint, StringComparison.Ordinal));
    }
}
