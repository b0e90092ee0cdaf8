namespace Recsys.Factorization;

/// <summary>How <see cref="NmfTrainer"/> initializes its factors (scikit-learn's <c>init</c>).</summary>
public enum NmfInit
{
    /// <summary>Non-negative double SVD; zeros stay zero.</summary>
    Nndsvd = 0,

    /// <summary>NNDSVD with zeros replaced by the matrix mean (scikit-learn's default).</summary>
    Nndsvda = 1,

    /// <summary>Scaled absolute Gaussian values: <c>sqrt(mean / rank) · |N(0, 1)|</c>.</summary>
    Random = 2,
}
