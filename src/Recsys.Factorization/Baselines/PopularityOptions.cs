using System.ComponentModel.DataAnnotations;
using Recsys.Recommenders;

namespace Recsys.Baselines;

/// <summary>Settings of the <see cref="PopularityTrainer"/>.</summary>
public sealed class PopularityOptions
{
    /// <summary>Gets or sets what is counted.</summary>
    /// <value>The default value is <see cref="PopularityKind.InteractionCount"/>.</value>
    public PopularityKind Kind { get; set; } = PopularityKind.InteractionCount;

    /// <summary>Gets or sets the lowest value that counts as positive for <see cref="PopularityKind.PositiveCount"/>.</summary>
    /// <value>The default value is 4.0.</value>
    [Range(-1e9, 1e9)]
    public double PositiveThreshold { get; set; } = 4.0;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ValidationException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        OptionsValidation.ThrowIfInvalid(new PopularityOptionsValidator(), this);
        if (!Enum.IsDefined(Kind))
        {
            throw new ValidationException($"Kind {(int)Kind} is not a PopularityKind.");
        }
    }
}
