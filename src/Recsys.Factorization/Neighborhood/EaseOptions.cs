using System.ComponentModel.DataAnnotations;
using Recsys.Recommenders;

namespace Recsys.Neighborhood;

/// <summary>Options of <see cref="EaseTrainer"/>.</summary>
public sealed class EaseOptions
{
    /// <summary>Gets or sets λ, added to the diagonal of the item Gram matrix before it is inverted.</summary>
    [Range(1e-6, 1e9)]
    public double Regularization { get; set; } = 250;

    /// <summary>
    /// Gets or sets the interaction value at or above which an interaction is a positive (a 1 in the user-item
    /// matrix); <see langword="null"/> makes every interaction a positive. The default 3 keeps the ratings of 3 stars
    /// and more on a 5-star scale.
    /// </summary>
    [Range(-1e9, 1e9)]
    public double? PositiveThreshold { get; set; } = 3.0;

    /// <summary>
    /// Gets or sets how many positives an item needs to get a row and column in the model. Items with fewer score 0
    /// (their column of B is zero) and add nothing to a user's scores; this bounds the matrix to the items that carry
    /// evidence.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MinItemSupport { get; set; } = 10;

    /// <summary>
    /// Gets or sets the largest number of modelled items the trainer accepts. The model is a dense items × items
    /// matrix of floats (4·n² bytes, held once while training), so above this the trainer refuses with the memory
    /// it would need instead of exhausting the machine.
    /// </summary>
    [Range(1, 40_000)]
    public int MaxItems { get; set; } = 20_000;

    /// <summary>Gets or sets the threads used for the Gram matrix and its inverse; 0 uses every core.</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>Validates the options.</summary>
    /// <exception cref="ValidationException">A value is out of range.</exception>
    public void Validate() => OptionsValidation.ThrowIfInvalid(new EaseOptionsValidator(), this);
}
