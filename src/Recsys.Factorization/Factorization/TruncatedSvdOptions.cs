using System.ComponentModel.DataAnnotations;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>Settings of the <see cref="TruncatedSvdTrainer"/>.</summary>
public sealed class TruncatedSvdOptions
{
    /// <summary>Gets or sets the number of singular triplets kept.</summary>
    /// <value>The default value is 10.</value>
    [Range(1, 2048)]
    public int Rank { get; set; } = 10;

    /// <summary>Gets or sets what is factorized.</summary>
    /// <value>The default value is <see cref="SvdCentering.ZeroFilled"/>.</value>
    public SvdCentering Centering { get; set; } = SvdCentering.ZeroFilled;

    /// <summary>Gets or sets the number of power iterations (scikit-learn's <c>n_iter</c>).</summary>
    /// <value>The default value is 5.</value>
    [Range(0, 100)]
    public int PowerIterations { get; set; } = 5;

    /// <summary>Gets or sets the extra sketch columns beyond the rank.</summary>
    /// <value>The default value is 10.</value>
    [Range(0, 1000)]
    public int Oversampling { get; set; } = 10;

    /// <summary>Gets or sets the seed of the random sketch.</summary>
    /// <value>The default value is 42.</value>
    public ulong Seed { get; set; } = 42;

    /// <summary>Checks the options with the source-generated validator.</summary>
    /// <exception cref="ValidationException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        OptionsValidation.ThrowIfInvalid(new TruncatedSvdOptionsValidator(), this);
        if (!Enum.IsDefined(Centering))
        {
            throw new ValidationException($"Centering {(int)Centering} is not an SvdCentering.");
        }
    }
}
