using System.ComponentModel.DataAnnotations;

namespace Recsys.Data;

/// <summary>Settings of the <see cref="SyntheticDataGenerator"/>.</summary>
public sealed class SyntheticDataOptions
{
    /// <summary>Gets or sets the seed; the same options always give the same interactions.</summary>
    /// <value>The default value is 42.</value>
    public ulong Seed { get; set; } = 42;

    /// <summary>Gets or sets the number of users; each gets at least one interaction.</summary>
    /// <value>The default value is 1,000.</value>
    [Range(1, 100_000_000)]
    public int Users { get; set; } = 1_000;

    /// <summary>Gets or sets the number of items.</summary>
    /// <value>The default value is 2,000.</value>
    [Range(1, 100_000_000)]
    public int Items { get; set; } = 2_000;

    /// <summary>Gets or sets the number of distinct (user, item) interactions to generate, at least <see cref="Users"/>.</summary>
    /// <value>The default value is 100,000.</value>
    [Range(1, 1_000_000_000)]
    public int Interactions { get; set; } = 100_000;

    /// <summary>Gets or sets the rank of the hidden latent-factor model the ratings come from.</summary>
    /// <value>The default value is 8.</value>
    [Range(1, 256)]
    public int Factors { get; set; } = 8;

    /// <summary>Gets or sets the standard deviation of the rating noise.</summary>
    /// <value>The default value is 0.5.</value>
    [Range(0.0, 5.0)]
    public double Noise { get; set; } = 0.5;

    /// <summary>Gets or sets the exponent of the power law of item popularity (the item of popularity rank r is drawn with weight r^-exponent).</summary>
    /// <value>The default value is 0.9.</value>
    [Range(0.0, 3.0)]
    public double ItemPopularityExponent { get; set; } = 0.9;

    /// <summary>Gets or sets the exponent of the power law of user activity.</summary>
    /// <value>The default value is 0.5.</value>
    [Range(0.0, 3.0)]
    public double UserActivityExponent { get; set; } = 0.5;

    /// <summary>Gets or sets the earliest timestamp, in seconds since the Unix epoch.</summary>
    /// <value>The default value is 1,262,304,000 (2010-01-01).</value>
    [Range(0L, long.MaxValue / 2)]
    public long StartTimestamp { get; set; } = 1_262_304_000;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ValidationException">A setting is out of range or the settings are inconsistent; the message names the setting.</exception>
    public void Validate()
    {
        var checkedRanges = new SyntheticDataOptionsValidator().Validate(null, this); // source-generated: the same checks as ValidateOnStart
        if (checkedRanges.Failed)
        {
            throw new ValidationException(checkedRanges.FailureMessage);
        }

        if (Interactions < Users)
        {
            throw new ValidationException($"Interactions ({Interactions}) must be at least Users ({Users}): every user gets one interaction or more.");
        }

        if ((long)Users * Items < Interactions)
        {
            throw new ValidationException($"Users × Items ({(long)Users * Items}) is smaller than Interactions ({Interactions}); interactions are distinct (user, item) pairs.");
        }
    }
}
