using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Retraining;

/// <summary>One candidate of a run.</summary>
public sealed class CandidateOptions
{
    /// <summary>Gets or sets the algorithm (a <see cref="RecommenderAlgorithms"/> name).</summary>
    public string Algorithm { get; set; } = "biased-mf";

    /// <summary>Gets the hyper-parameters; unset ones keep the algorithm's defaults.</summary>
    public AlgorithmSettings Settings { get; set; } = new();

    /// <summary>Gets or sets a trainer factory that replaces <see cref="Algorithm"/> (custom trainers, tests).</summary>
    public Func<IRecommenderTrainer>? Trainer { get; set; }

    /// <summary>
    /// Gets or sets what the candidate is for, which decides the metrics it may be compared on; <see langword="null"/>
    /// takes the built-in algorithm's (custom trainers that declare nothing are judged on every metric).
    /// </summary>
    public ModelPurpose? Purpose { get; set; }

    /// <summary>
    /// Gets or sets the registered model the candidate is trained for; <see langword="null"/> (the default) is the
    /// run's <see cref="RetrainingOptions.ModelName"/>. One run can so retrain several models (for example the
    /// original service's <c>svd</c>, <c>nmf</c> and <c>hybrid</c>): each model's candidates are compared with that
    /// model's Production only.
    /// </summary>
    public string? ModelName { get; set; }

    /// <summary>Gets the name in the run history and on the registered version: the algorithm unless a factory is used.</summary>
    internal string Name => Algorithm;
}

/// <summary>What a retraining run does.</summary>
public sealed class RetrainingOptions
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
    public int MaxParallelism { get; set; } = 2;

    /// <summary>Gets or sets the ranking cut-off of the evaluation; default 10.</summary>
    public int K { get; set; } = 10;

    /// <summary>Gets or sets the rating at or above which a held-out item counts as relevant; default 4.</summary>
    public double RelevanceThreshold { get; set; } = 4.0;

    /// <summary>
    /// Gets or sets whether each candidate, once evaluated on the split, is trained again on all the loaded data
    /// (same algorithm and hyper-parameters) and that refit is what is registered and served; default true. Off, the
    /// model trained on the split's training part is registered (it never learns the held-out interactions).
    /// </summary>
    public bool Refit { get; set; } = true;

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

    /// <summary>Gets or sets the data-volume trigger: a run when the interaction store holds this many more interactions than at the last run; null for none.</summary>
    public long? MinNewInteractions { get; set; }

    /// <summary>Gets or sets how often the hosted worker checks its triggers; default 5 s.</summary>
    public TimeSpan TriggerCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}
