using System.ComponentModel.DataAnnotations;
using Recsys.Data;
using Recsys.Registry;

namespace Recsys.Serving;

/// <summary>What the recommender serves and how. <c>AddRecommender()</c> binds it from the <c>Recsys</c> configuration section.</summary>
public sealed class RecommenderOptions : IValidatableObject
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

    /// <summary>Gets or sets a path of a MovieLens <c>movies.csv</c> whose titles and genres are served when the model file carries none.</summary>
    public string? MoviesPath { get; set; }

    /// <summary>
    /// Gets or sets the rating scale <c>POST /interactions</c> accepts (configuration: <c>MIN:MAX</c>, for example
    /// <c>0.5:5</c>); a rating outside it is refused with a 400 naming the entry. <see langword="null"/> uses the data's own
    /// scale: the lowest to the highest value the served model was trained on (0.5 to 5 for MovieLens ratings), or only a
    /// finite check while no model is loaded or when every training value was the same (implicit data, where the value is
    /// a confidence weight).
    /// </summary>
    /// <value>The default value is <see langword="null"/> (the data's own scale).</value>
    public RatingScale? RatingScale { get; set; }

    /// <summary>
    /// Gets or sets how long a request waits for the distributed (second-level) cache on one call, once the cache has
    /// answered (the first calls, which also connect, get 2 s): a slower answer counts as a miss, the cache is bypassed
    /// for a few seconds, and <c>/health</c> reports it Degraded.
    /// </summary>
    /// <value>The default value is 50 milliseconds.</value>
    public TimeSpan DistributedCacheTimeout { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Checks the settings at start-up; every message names the setting.</summary>
    /// <param name="validationContext">The context.</param>
    /// <returns>The errors.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ModelName))
        {
            yield return new ValidationResult("Recsys:ModelName must not be empty.");
        }

        if (!Enum.IsDefined(Stage))
        {
            yield return new ValidationResult($"Recsys:Stage '{Stage}' is not a stage (None, Staging, Production, Archived).");
        }

        if (MaxCount < 1)
        {
            yield return new ValidationResult($"Recsys:MaxCount must be at least 1; it is {MaxCount}.");
        }

        if (DefaultCount < 1 || DefaultCount > MaxCount)
        {
            yield return new ValidationResult($"Recsys:DefaultCount must be between 1 and MaxCount ({MaxCount}); it is {DefaultCount}.");
        }

        if (MaxIdLength < 1)
        {
            yield return new ValidationResult("Recsys:MaxIdLength must be at least 1.");
        }

        if (CacheDuration < TimeSpan.Zero)
        {
            yield return new ValidationResult("Recsys:CacheDuration must not be negative.");
        }

        if (DistributedCacheTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Recsys:DistributedCacheTimeout must be positive (for example 00:00:00.050).");
        }

        if (Experiment.Any(v => string.IsNullOrWhiteSpace(v.Alias) || v.Weight < 0) || (Experiment.Count > 0 && Experiment.Sum(v => v.Weight) <= 0))
        {
            yield return new ValidationResult("Recsys:Experiment arms need an alias and a non-negative weight, with a positive total.");
        }

        if (MoviesPath is { } movies && !File.Exists(movies))
        {
            yield return new ValidationResult($"Recsys:MoviesPath '{movies}' does not exist.");
        }
    }
}
