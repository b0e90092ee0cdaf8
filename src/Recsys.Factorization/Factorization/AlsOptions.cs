using System.ComponentModel.DataAnnotations;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>Settings of <see cref="AlsTrainer"/> (explicit ratings, with biases).</summary>
public sealed class AlsOptions
{
    /// <summary>Gets or sets the number of latent factors.</summary>
    /// <value>The default value is 20.</value>
    [Range(1, 512)]
    public int Rank { get; set; } = 20;

    /// <summary>Gets or sets the number of alternating iterations (users, then items).</summary>
    /// <value>The default value is 15.</value>
    [Range(1, 1000)]
    public int Iterations { get; set; } = 15;

    /// <summary>Gets or sets λ of the weighted-λ regularization (each row's penalty scales with its number of ratings).</summary>
    /// <value>The default value is 0.1.</value>
    [Range(1e-9, 1e6)]
    public double Regularization { get; set; } = 0.1;

    /// <summary>Gets or sets the seed of the initial item factors.</summary>
    /// <value>The default value is 42.</value>
    public ulong Seed { get; set; } = 42;

    /// <summary>Checks the options with the source-generated validator.</summary>
    /// <exception cref="ValidationException">A setting is out of range; the message names it.</exception>
    public void Validate() => OptionsValidation.ThrowIfInvalid(new AlsOptionsValidator(), this);
}
