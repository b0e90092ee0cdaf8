using System.ComponentModel.DataAnnotations;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>Settings of the <see cref="BlendTrainer"/>.</summary>
public sealed class BlendOptions
{
    /// <summary>Gets or sets the share of the training data held out to fit the blend weights.</summary>
    /// <value>The default value is 0.1.</value>
    [Range(0.01, 0.5)]
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>Gets or sets the ridge penalty on the weights (not on the intercept).</summary>
    /// <value>The default value is 0.001.</value>
    [Range(0.0, 1e6)]
    public double Ridge { get; set; } = 1e-3;

    /// <summary>Gets or sets the seed of the validation hold-out.</summary>
    /// <value>The default value is 42.</value>
    public ulong Seed { get; set; } = 42;

    /// <summary>
    /// Gets or sets a value indicating whether the weights may vary with the user's and the item's support
    /// (feature-weighted linear stacking, Sill et al. 2009: every weight gets a term in ln(1 + training count) of the
    /// user and of the item), so that, for example, the neighbourhood model counts more for well-rated items.
    /// </summary>
    public bool SupportFeatures { get; set; } = true;

    /// <summary>Checks the options with the source-generated validator.</summary>
    /// <exception cref="ValidationException">A setting is out of range; the message names it.</exception>
    public void Validate() => OptionsValidation.ThrowIfInvalid(new BlendOptionsValidator(), this);
}
