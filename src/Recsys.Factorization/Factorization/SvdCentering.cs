namespace Recsys.Factorization;

/// <summary>What the <see cref="TruncatedSvdTrainer"/> factorizes.</summary>
public enum SvdCentering
{
    /// <summary>The rating matrix with zeros for missing entries, as scikit-learn's TruncatedSVD on a dense matrix (best for top-N).</summary>
    ZeroFilled = 0,

    /// <summary>Each observed rating minus its user's mean, zeros elsewhere; predictions add the user's mean back (for ratings).</summary>
    UserMean = 1,
}
