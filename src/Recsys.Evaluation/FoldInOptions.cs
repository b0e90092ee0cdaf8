namespace Recsys.Evaluation;

/// <summary>The settings of <see cref="FoldInEvaluation"/>.</summary>
public sealed class FoldInOptions
{
    /// <summary>Gets or sets how many users are held out of training entirely.</summary>
    /// <value>The default value is 100.</value>
    public int Users { get; set; } = 100;

    /// <summary>Gets or sets the fewest interactions a user needs to be drawn (both halves need some).</summary>
    /// <value>The default value is 10.</value>
    public int MinInteractions { get; set; } = 10;

    /// <summary>Gets or sets the seed that draws the users.</summary>
    /// <value>The default value is 42.</value>
    public ulong Seed { get; set; } = 42;

    /// <summary>Gets or sets the cut-off of NDCG.</summary>
    /// <value>The default value is 10.</value>
    public int K { get; set; } = 10;

    /// <summary>Gets or sets the lowest test value that counts as relevant.</summary>
    /// <value>The default value is 4.</value>
    public double RelevanceThreshold { get; set; } = 4.0;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it).</exception>
    public void Validate()
    {
        if (Users < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Users), Users, "At least one user must be held out.");
        }

        if (MinInteractions < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MinInteractions), MinInteractions, "A held-out user needs at least 2 interactions (one posted, one tested).");
        }

        if (K < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(K), K, "The cut-off must be at least 1.");
        }

        if (!double.IsFinite(RelevanceThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(RelevanceThreshold), RelevanceThreshold, "The relevance threshold must be a finite number.");
        }
    }
}
