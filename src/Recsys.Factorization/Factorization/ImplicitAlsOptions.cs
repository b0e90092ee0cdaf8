using System.ComponentModel.DataAnnotations;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>Settings of <see cref="ImplicitAlsTrainer"/> (implicit feedback, Hu–Koren–Volinsky).</summary>
public sealed class ImplicitAlsOptions
{
    /// <summary>Gets or sets the number of latent factors.</summary>
    /// <value>The default value is 64.</value>
    [Range(1, 512)]
    public int Rank { get; set; } = 64;

    /// <summary>Gets or sets the number of alternating iterations.</summary>
    /// <value>The default value is 15.</value>
    [Range(1, 1000)]
    public int Iterations { get; set; } = 15;

    /// <summary>Gets or sets the L2 regularization.</summary>
    /// <value>The default value is 20.</value>
    [Range(0.0, 1e6)]
    public double Regularization { get; set; } = 20;

    /// <summary>Gets or sets α: an observed interaction has confidence <c>1 + α</c>.</summary>
    /// <value>The default value is 5.</value>
    [Range(0.0, 1e6)]
    public double Alpha { get; set; } = 5;

    /// <summary>Gets or sets the lowest value that makes an interaction a positive; lower ones are ignored (but still excluded from recommendations).</summary>
    /// <value>The default value is 4.0 (ratings of 4 stars or more); use 0 or less for click or purchase data.</value>
    [Range(-1e9, 1e9)]
    public double PositiveThreshold { get; set; } = 4.0;

    /// <summary>Gets or sets the conjugate-gradient steps per row and iteration (the <c>implicit</c> library uses 3).</summary>
    /// <value>The default value is 3.</value>
    [Range(1, 512)]
    public int ConjugateGradientSteps { get; set; } = 3;

    /// <summary>Gets or sets the seed of the initial factors.</summary>
    /// <value>The default value is 42.</value>
    public ulong Seed { get; set; } = 42;

    /// <summary>Checks the options with the source-generated validator.</summary>
    /// <exception cref="ValidationException">A setting is out of range; the message names it.</exception>
    public void Validate() => OptionsValidation.ThrowIfInvalid(new ImplicitAlsOptionsValidator(), this);
}
