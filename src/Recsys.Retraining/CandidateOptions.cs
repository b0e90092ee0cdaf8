using Recsys.Recommenders;

namespace Recsys.Retraining;

/// <summary>One candidate of a run.</summary>
public sealed class CandidateOptions
{
    /// <summary>Gets or sets the algorithm (a <see cref="RecommenderAlgorithms"/> name).</summary>
    public string Algorithm { get; set; } = "biased-mf";

    /// <summary>Gets the hyper-parameters; unset ones keep the algorithm's defaults.</summary>
    public AlgorithmSettings Settings { get; set; } = new();

    /// <summary>
    /// Gets or sets a hyper-parameter search for this candidate, or <see langword="null"/> to train it once with
    /// <see cref="Settings"/>. With a search the run first scores the planned trials on a validation slice carved
    /// from its training part (each trial a step of the run history, with its parameters, metric and duration), then
    /// trains the best settings like any candidate: evaluated on the test part, and refit on all data when the run
    /// refits. The registered version records the chosen settings as its parameters.
    /// </summary>
    public Tuning.SearchSpace? Search { get; set; }

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
