using System.ComponentModel.DataAnnotations;
using Recsys.Evaluation;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Retraining;

/// <summary>
/// What a retraining run does. Validated when the host starts (<c>AddRetraining</c>) and when a
/// <see cref="RetrainingService"/> is built without dependency injection: a typo in the split, a candidate or the
/// metric stops the host with the setting named, instead of failing every run.
/// </summary>
public sealed class RetrainingOptions : IValidatableObject
{
    /// <summary>Gets or sets the registered model the runs train; default <c>recommender</c>.</summary>
    public string ModelName { get; set; } = "recommender";

    /// <summary>Gets the candidates, trained in parallel. Empty by default: add at least one.</summary>
    public IList<CandidateOptions> Candidates { get; } = [];

    /// <summary>Gets or sets the split (<c>temporal:F</c>, <c>random:F</c>, <c>user:F</c>, <c>last:N</c>); default <c>temporal:0.2</c>.</summary>
    public string Split { get; set; } = "temporal:0.2";

    /// <summary>Gets or sets the seed of random splits; default 42.</summary>
    public ulong Seed { get; set; } = 42;

    /// <summary>Gets or sets how many candidates train at once; default 2.</summary>
    [Range(1, 256)]
    public int MaxParallelism { get; set; } = 2;

    /// <summary>Gets or sets the ranking cut-off of the evaluation; default 10.</summary>
    [Range(1, 10_000)]
    public int K { get; set; } = 10;

    /// <summary>Gets or sets the rating at or above which a held-out item counts as relevant; default 4.</summary>
    public double RelevanceThreshold { get; set; } = 4.0;

    /// <summary>
    /// Gets or sets whether each candidate, once evaluated on the split, is trained again on all the loaded data
    /// (same algorithm and hyper-parameters) and that refit is what is registered and served; default true. Off, the
    /// model trained on the split's training part is registered (it never learns the held-out interactions).
    /// </summary>
    public bool Refit { get; set; } = true;

    /// <summary>
    /// Gets or sets how many versions of each model that are not in Production a run keeps with their artifacts: after
    /// the promotion, older ones are archived and their artifacts deleted (metadata, metrics, lineage and history are
    /// kept). Production and aliased versions are never touched, nor Staging versions an operator staged or that are the
    /// newest in Staging. <see langword="null"/> keeps every artifact.
    /// </summary>
    /// <value>The default value is 10.</value>
    [Range(1, int.MaxValue)]
    public int? KeepVersions { get; set; } = 10;

    /// <summary>Gets the promotion policy: which metric decides, by how much the best candidate must beat Production.</summary>
    public PromotionPolicy Promotion { get; } = new();

    /// <summary>Gets or sets the policy of the load step; default 3 attempts.</summary>
    public StepPolicy Load { get; set; } = new();

    /// <summary>Gets or sets the policy of each training step; default 1 attempt (training is deterministic), no timeout.</summary>
    public StepPolicy Train { get; set; } = new() { MaxAttempts = 1 };

    /// <summary>Gets or sets the policy of the evaluation, registration and promotion steps; default 3 attempts.</summary>
    public StepPolicy Registry { get; set; } = new();

    /// <summary>Gets or sets a MovieLens <c>movies.csv</c> whose titles and genres go into the model files.</summary>
    public string? MoviesPath { get; set; }

    /// <summary>Gets or sets the interval schedule of the hosted worker; null for none.</summary>
    public TimeSpan? Interval { get; set; }

    /// <summary>Gets or sets a cron schedule (five fields, UTC) of the hosted worker; null for none.</summary>
    public string? Cron { get; set; }

    /// <summary>
    /// Gets or sets a memory budget in bytes for training; null for none. When set, and the source can be read to disk
    /// (<see cref="ISpoolingInteractionSource"/>: <see cref="InteractionSources.FromPath"/> and
    /// <see cref="InteractionSources.File"/>), and its rows would need more than this to train in memory (14 bytes a
    /// rating while read), the run trains from disk instead: the source is spooled with a share of its (user, item)
    /// pairs held out by a hash of their ids (<see cref="DiskHoldoutFraction"/>), every candidate (biased-mf only) is
    /// trained from block files on disk (<c>BiasedMatrixFactorizationTrainer.FitToFile</c>), candidates and
    /// Production are judged on the held-out pairs by RMSE and MAE (rating prediction: the promotion's
    /// <see cref="PromotionPolicy.PrimaryMetric"/> should be <c>rmse</c> or <c>mae</c>), and what is registered is the
    /// model trained on all the other pairs (no refit, no tuning).
    /// </summary>
    [Range(1, long.MaxValue)]
    public long? MemoryBudget { get; set; }

    /// <summary>Gets or sets the share of (user, item) pairs a run that trains from disk holds out to judge the models on; default 0.01. The same pairs every run (a hash of the ids and <see cref="Seed"/>).</summary>
    [Range(0.0001, 0.5)]
    public double DiskHoldoutFraction { get; set; } = 0.01;

    /// <summary>Gets or sets the folder in which a run that trains from disk keeps its files (a folder of its own, deleted at the end); default the system's temporary folder.</summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>Gets or sets the data-volume trigger: a run when the interaction store holds this many more interactions than at the last run; null for none.</summary>
    public long? MinNewInteractions { get; set; }

    /// <summary>Gets or sets how often the hosted worker checks its triggers; default 5 s.</summary>
    public TimeSpan TriggerCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks the settings DataAnnotations cannot express; every message names the setting.</summary>
    /// <param name="validationContext">The context.</param>
    /// <returns>The errors.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ModelName))
        {
            yield return new ValidationResult("Retraining:ModelName must not be empty.", [nameof(ModelName)]);
        }

        if (Candidates.Count == 0)
        {
            yield return new ValidationResult("Retraining:Candidates is empty; add at least one candidate (an algorithm of 'recsys algorithms').", [nameof(Candidates)]);
        }

        for (var k = 0; k < Candidates.Count; k++)
        {
            var candidate = Candidates[k];
            if (candidate.Trainer is null && !RecommenderAlgorithms.Names.Contains(candidate.Algorithm, StringComparer.OrdinalIgnoreCase))
            {
                yield return new ValidationResult(
                    $"Retraining:Candidates:{k}:Algorithm '{candidate.Algorithm}' is unknown; use one of {string.Join(", ", RecommenderAlgorithms.Names)}.",
                    [nameof(Candidates)]);
            }

            if (candidate.Search is null && candidate.Trainer is null && RecommenderAlgorithms.Names.Contains(candidate.Algorithm, StringComparer.OrdinalIgnoreCase)
                && SettingsError(candidate) is { } settingsError)
            {
                yield return new ValidationResult($"Retraining:Candidates:{k}:Settings: {settingsError}", [nameof(Candidates)]);
            }

            if (candidate.Search is { } space && candidate.Trainer is null && RecommenderAlgorithms.Names.Contains(candidate.Algorithm, StringComparer.OrdinalIgnoreCase))
            {
                string? searchError = null;
                try
                {
                    _ = new Tuning.HyperParameterSearch(candidate.Algorithm, candidate.Settings, space);
                }
                catch (ArgumentException e)
                {
                    searchError = e.Message;
                }

                if (searchError is not null)
                {
                    yield return new ValidationResult($"Retraining:Candidates:{k}:Search: {searchError}", [nameof(Candidates)]);
                }
            }

            if (candidate.ModelName is { } model && string.IsNullOrWhiteSpace(model))
            {
                yield return new ValidationResult($"Retraining:Candidates:{k}:ModelName must not be blank.", [nameof(Candidates)]);
            }
        }

        string? splitError = null;
        try
        {
            if (SplitSpecification.Parse(Split ?? "").Text.StartsWith("kfold", StringComparison.OrdinalIgnoreCase))
            {
                splitError = $"Retraining:Split '{Split}' is k-fold; a run needs a single split (temporal:F, random:F, user:F, user:N, last:N).";
            }
        }
        catch (FormatException e)
        {
            splitError = "Retraining:Split: " + e.Message;
        }

        if (splitError is not null)
        {
            yield return new ValidationResult(splitError, [nameof(Split)]);
        }

        if (!MetricCatalog.Names.Contains(Promotion.PrimaryMetric, StringComparer.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"Retraining:Promotion:PrimaryMetric '{Promotion.PrimaryMetric}' is not a metric; use one of {string.Join(", ", MetricCatalog.Names)}.",
                [nameof(Promotion)]);
        }

        if (!double.IsFinite(Promotion.RefreshMargin) || Promotion.RefreshMargin < 0)
        {
            yield return new ValidationResult(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Retraining:Promotion:RefreshMargin must be a finite number of 0 or more (how much worse a refresh may measure); it is {Promotion.RefreshMargin}."),
                [nameof(Promotion)]);
        }

        if (Cron is not null && !IsCron(Cron))
        {
            yield return new ValidationResult($"Retraining:Cron '{Cron}' is not a valid five-field cron expression.", [nameof(Cron)]);
        }

        if (Interval is { } interval && interval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Retraining:Interval must be positive.", [nameof(Interval)]);
        }

        if (MinNewInteractions is < 1)
        {
            yield return new ValidationResult("Retraining:MinNewInteractions must be at least 1.", [nameof(MinNewInteractions)]);
        }

        if (TriggerCheckInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Retraining:TriggerCheckInterval must be positive.", [nameof(TriggerCheckInterval)]);
        }

        foreach (var (name, policy) in new[] { (nameof(Load), Load), (nameof(Train), Train), (nameof(Registry), Registry) })
        {
            if (policy is null || policy.MaxAttempts < 1 || policy.BaseDelay < TimeSpan.Zero || policy.MaxDelay < policy.BaseDelay || policy.Timeout <= TimeSpan.Zero)
            {
                yield return new ValidationResult($"Retraining:{name} needs MaxAttempts ≥ 1, 0 ≤ BaseDelay ≤ MaxDelay and a positive Timeout when set.", [name]);
            }
        }
    }

    /// <summary>What the candidate's trainer refuses in its settings (a rank or epoch count out of range …), or null.</summary>
    private static string? SettingsError(CandidateOptions candidate)
    {
        try
        {
            _ = RecommenderAlgorithms.Create(candidate.Algorithm, candidate.Settings, HoldoutValidator.Default);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or ValidationException)
        {
            return e.Message;
        }
    }

    private static bool IsCron(string cron)
    {
        try
        {
            Cronos.CronExpression.Parse(cron);
            return true;
        }
        catch (Cronos.CronFormatException)
        {
            return false;
        }
    }
}

/// <summary>The source-generated validator of <see cref="RetrainingOptions"/>: DataAnnotations plus <see cref="RetrainingOptions.Validate"/>.</summary>
[Microsoft.Extensions.Options.OptionsValidator]
internal sealed partial class RetrainingOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<RetrainingOptions>;
