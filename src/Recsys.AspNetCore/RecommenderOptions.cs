using Recsys.Registry;

namespace Recsys.AspNetCore;

/// <summary>What the recommender serves and how. Bound from the <c>Recsys</c> configuration section.</summary>
public sealed class RecommenderOptions
{
    /// <summary>The configuration section <c>AddRecommender</c> binds: <c>Recsys</c>.</summary>
    public const string SectionName = "Recsys";

    /// <summary>Gets or sets the registered model to serve; default <c>recommender</c>.</summary>
    public string ModelName { get; set; } = "recommender";

    /// <summary>Gets or sets the stage whose version is served when <see cref="Alias"/> is not set; default Production.</summary>
    public ModelStage Stage { get; set; } = ModelStage.Production;

    /// <summary>Gets or sets an alias (for example <c>champion</c>) to serve instead of <see cref="Stage"/>.</summary>
    public string? Alias { get; set; }

    /// <summary>Gets or sets how many recommendations a request gets when it does not say; default 10.</summary>
    public int DefaultCount { get; set; } = 10;

    /// <summary>Gets or sets the most recommendations one request may ask for; default 100.</summary>
    public int MaxCount { get; set; } = 100;

    /// <summary>Gets or sets the longest user or item id accepted; default 256 characters.</summary>
    public int MaxIdLength { get; set; } = 256;

    /// <summary>Gets or sets the largest request body accepted, in bytes; default 64 KiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Gets or sets how long a recommendation list stays cached; default 60 s. Zero turns caching off.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets the key the admin endpoints (<c>/admin/*</c>, <c>/models/retrain</c>) require in
    /// <see cref="AdminApiKeyHeader"/>. When it is not set, those endpoints answer 403.
    /// </summary>
    public string? AdminApiKey { get; set; }

    /// <summary>Gets or sets the header that carries the admin key; default <c>X-Api-Key</c>.</summary>
    public string AdminApiKeyHeader { get; set; } = "X-Api-Key";

    /// <summary>
    /// Gets the A/B split: aliases of <see cref="ModelName"/> with integer weights (for example champion 90,
    /// challenger 10). Users are assigned by a stable hash of their id. Empty (the default): no experiment.
    /// </summary>
    public IList<TrafficVariant> Experiment { get; } = [];

    /// <summary>Gets what to do when the registry has nothing to serve at start-up.</summary>
    public BootstrapOptions Bootstrap { get; } = new();

    /// <summary>Gets or sets a path of a MovieLens <c>movies.csv</c> whose titles and genres are served when the model file carries none.</summary>
    public string? MoviesPath { get; set; }
}

/// <summary>One arm of an A/B split.</summary>
public sealed class TrafficVariant
{
    /// <summary>Gets or sets the alias of the served model this arm uses.</summary>
    public string Alias { get; set; } = "";

    /// <summary>Gets or sets the arm's share, relative to the other arms' weights.</summary>
    public int Weight { get; set; }
}

/// <summary>
/// Trains, registers and promotes a first model when the registry holds no version of the model at all, so a fresh
/// install serves within seconds. A registry with versions is never bootstrapped, even when its Production version
/// cannot be loaded: that is reported (503, <c>/health/ready</c> unhealthy), not repaired by changing stages.
/// </summary>
public sealed class BootstrapOptions
{
    /// <summary>Gets or sets whether to bootstrap; default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets the algorithm (a <c>RecommenderAlgorithms</c> name); default <c>als-implicit</c>.</summary>
    public string Algorithm { get; set; } = "als-implicit";

    /// <summary>
    /// Gets or sets a MovieLens-format <c>ratings.csv</c> to train on; <see langword="null"/> (the default) trains
    /// on the built-in synthetic data set.
    /// </summary>
    public string? DataPath { get; set; }

    /// <summary>
    /// Gets further models to bootstrap beside the served one, each registered as a model of its own (its name)
    /// and served for requests with <c>algorithm</c> = that name: registered model name → algorithm. The sample host
    /// adds the original service's <c>svd</c> (truncated-svd), <c>nmf</c> and <c>hybrid</c>. Empty by default.
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
