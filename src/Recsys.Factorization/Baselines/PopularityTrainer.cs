using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Baselines;

/// <summary>
/// Ranks items by how often they were interacted with (or rated positively); the same list for every user, minus
/// the user's own items. Its rating prediction is the global mean: it is a ranking baseline.
/// </summary>
public sealed class PopularityTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name for <see cref="PopularityKind.InteractionCount"/>, <c>popularity</c>.</summary>
    public const string Name = "popularity";

    /// <summary>The algorithm name for <see cref="PopularityKind.PositiveCount"/>, <c>popularity-positive</c>.</summary>
    public const string PositiveName = "popularity-positive";

    private readonly PopularityOptions _options;

    /// <summary>Initializes a new instance of the <see cref="PopularityTrainer"/> class with default options.</summary>
    public PopularityTrainer()
        : this(new PopularityOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PopularityTrainer"/> class.</summary>
    /// <param name="options">The settings; validated here.</param>
    public PopularityTrainer(PopularityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string Algorithm => _options.Kind == PopularityKind.PositiveCount ? PositiveName : Name;

    /// <inheritdoc />
    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingGuard.ThrowIfEmpty(training);
        cancellationToken.ThrowIfCancellationRequested();
        var counts = new float[training.Items.Count];
        for (var i = 0; i < counts.Length; i++)
        {
            if (_options.Kind == PopularityKind.InteractionCount)
            {
                counts[i] = training.GetItemUsers(i).Length;
            }
            else
            {
                var positives = 0;
                foreach (var value in training.GetItemValues(i))
                {
                    if (value >= _options.PositiveThreshold)
                    {
                        positives++;
                    }
                }

                counts[i] = positives;
            }
        }

        return new FactorModel(Algorithm, TrainerParameters.ToJson(_options), TrainingFootprint.From(training), new FactorModelParts
        {
            Global = training.GlobalMean,
            ColdScores = counts,
            NonPersonalized = true,
        });
    }
}
