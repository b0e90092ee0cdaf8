using Recsys.Registry;

namespace Recsys.Retraining;

/// <summary>
/// The bootstrap of an empty registry (<c>services.AddRecsysBootstrap()</c>, a hosted service): when the registry holds
/// no version of a model at all, one retraining run trains, measures, registers and promotes a first version and puts
/// it at the stage or alias a serving host reads, so a fresh install serves within seconds. A registry with versions is
/// never bootstrapped, even when its Production version cannot be loaded: serving reports that (503,
/// <c>/health/ready</c> unhealthy), it is not repaired by changing stages. Bound from the host's configuration: the
/// <c>Recsys:Bootstrap</c> section, and the served model's <c>Recsys:ModelName</c>, <c>Recsys:Stage</c>,
/// <c>Recsys:Alias</c> and <c>Recsys:MoviesPath</c> (the keys serving reads), so one configuration drives both.
/// </summary>
public sealed class BootstrapOptions
{
    /// <summary>The configuration section of the bootstrap's own settings: <c>Recsys:Bootstrap</c>.</summary>
    public const string SectionName = "Recsys:Bootstrap";

    /// <summary>Gets or sets whether to bootstrap; default true (calling <c>AddRecsysBootstrap</c> is the opt-in).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the model to bootstrap (configuration: <c>Recsys:ModelName</c>); default <c>recommender</c>, serving's default.</summary>
    public string ModelName { get; set; } = "recommender";

    /// <summary>
    /// Gets or sets the stage the first version is put at when <see cref="Alias"/> is not set (configuration:
    /// <c>Recsys:Stage</c>); default Production. The run always promotes to Production; another stage is set after it.
    /// </summary>
    public ModelStage Stage { get; set; } = ModelStage.Production;

    /// <summary>Gets or sets an alias (configuration: <c>Recsys:Alias</c>) the first version gets, for a host that serves an alias.</summary>
    public string? Alias { get; set; }

    /// <summary>Gets or sets the algorithm (a <c>RecommenderAlgorithms</c> name); default <c>als-implicit</c>.</summary>
    public string Algorithm { get; set; } = "als-implicit";

    /// <summary>
    /// Gets or sets a MovieLens-format <c>ratings.csv</c> (or a Parquet file or Delta table) to train on;
    /// <see langword="null"/> (the default) trains on the built-in synthetic data set.
    /// </summary>
    public string? DataPath { get; set; }

    /// <summary>Gets or sets a MovieLens <c>movies.csv</c> whose titles and genres are stored with the model (configuration: <c>Recsys:MoviesPath</c>).</summary>
    public string? MoviesPath { get; set; }

    /// <summary>
    /// Gets further models to bootstrap beside <see cref="ModelName"/>, each registered as a model of its own (its
    /// name) and served for requests with <c>algorithm</c> = that name: registered model name → algorithm. The sample
    /// host adds the original service's <c>svd</c> (truncated-svd), <c>nmf</c> and <c>hybrid</c>. Empty by default.
    /// </summary>
    public IDictionary<string, string> Companions { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the share of interactions held out to measure the registered metrics; default 0.2.</summary>
    public double TestFraction { get; set; } = 0.2;

    /// <summary>
    /// Gets or sets whether the model, once measured on the holdout, is trained again on all the data and that refit
    /// is registered and served; default true (off, the served model never learns the held-out interactions).
    /// </summary>
    public bool Refit { get; set; } = true;

    /// <summary>Gets or sets the seed of the synthetic data and the split; default 42.</summary>
    public ulong Seed { get; set; } = 42;
}
