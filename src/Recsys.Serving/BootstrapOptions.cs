namespace Recsys.Serving;

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
