using System.ComponentModel.DataAnnotations;
using Recsys.Recommenders;

namespace Recsys.Neighborhood;

/// <summary>Options of <see cref="ItemKnnTrainer"/>.</summary>
public sealed class ItemKnnOptions
{
    /// <summary>
    /// Gets or sets what the model is for: <see cref="ModelPurpose.RatingPrediction"/> is Koren's KNNBaseline
    /// (baseline plus the similarity-weighted residuals of the k most similar items the user rated);
    /// <see cref="ModelPurpose.Ranking"/> scores an item by the summed similarity to the user's positives.
    /// </summary>
    public ModelPurpose Purpose { get; set; } = ModelPurpose.RatingPrediction;

    /// <summary>Gets or sets how two items' similarity is measured over their common users.</summary>
    public ItemSimilarity Similarity { get; set; } = ItemSimilarity.PearsonBaseline;

    /// <summary>Gets or sets k: how many neighbours take part in a prediction.</summary>
    [Range(1, 10_000)]
    public int Neighbors { get; set; } = 40;

    /// <summary>
    /// Gets or sets how many of an item's most similar items the model keeps (memory is bounded by items × this).
    /// A rating prediction takes the k most similar of them that the user rated, so this should be well above
    /// <see cref="Neighbors"/>; ranking models keep only <see cref="Neighbors"/>.
    /// </summary>
    [Range(1, 100_000)]
    public int StoredNeighbors { get; set; } = 1000;

    /// <summary>Gets or sets the shrinkage β: a similarity over n common users is multiplied by (n − 1) / (n − 1 + β).</summary>
    [Range(0.0, 1e6)]
    public double Shrinkage { get; set; } = 100;

    /// <summary>Gets or sets how many common users two items need to be neighbours.</summary>
    [Range(1, int.MaxValue)]
    public int MinSupport { get; set; } = 1;

    /// <summary>Gets or sets the value at or above which an interaction counts for a ranking model; <see langword="null"/> counts all.</summary>
    [Range(-1e9, 1e9)]
    public double? PositiveThreshold { get; set; }

    /// <summary>Gets or sets the baselines' options (rating models; the similarity uses them too when it is Pearson-baseline).</summary>
    [Microsoft.Extensions.Options.ValidateObjectMembers]
    public Baselines.BaselineOptions Baseline { get; set; } = new();

    /// <summary>Gets or sets the threads used to compute similarities; 0 uses every core.</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>Validates the options.</summary>
    /// <exception cref="ValidationException">A value is out of range.</exception>
    public void Validate()
    {
        OptionsValidation.ThrowIfInvalid(new ItemKnnOptionsValidator(), this);
        if (!Enum.IsDefined(Purpose) || !Enum.IsDefined(Similarity))
        {
            throw new ValidationException($"Purpose {Purpose} or Similarity {Similarity} is not a defined value.");
        }
    }
}

/// <summary>How <see cref="ItemKnnTrainer"/> measures the similarity of two items over their common users.</summary>
public enum ItemSimilarity
{
    /// <summary>Pearson correlation of the baseline residuals r − (μ + b_u + b_i), shrunk (Surprise's pearson_baseline).</summary>
    PearsonBaseline,

    /// <summary>
    /// Cosine of the values over the users both items share, times the shrinkage (n − 1) / (n − 1 + <see cref="ItemKnnOptions.Shrinkage"/>)
    /// for n such users. With 0/1 values (ranking models: the positives) that cosine is always 1, so the similarity is
    /// the shrunk co-occurrence count: items many users share rank first.
    /// </summary>
    Cosine,
}
