using Recsys.Registry;

namespace Recsys.Serving;

/// <summary>What the recommender serves and how. <c>AddRecommender()</c> binds it from the <c>Recsys</c> configuration section.</summary>
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


    /// <summary>Gets or sets how long a recommendation list stays cached; default 60 s. Zero turns caching off.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(60);



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
