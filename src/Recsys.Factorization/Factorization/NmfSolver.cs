namespace Recsys.Factorization;

/// <summary>The solver of <see cref="NmfTrainer"/>.</summary>
public enum NmfSolver
{
    /// <summary>Coordinate descent (scikit-learn's <c>cd</c>, the default).</summary>
    CoordinateDescent = 0,

    /// <summary>Multiplicative updates for the Frobenius norm (scikit-learn's <c>mu</c>).</summary>
    MultiplicativeUpdate = 1,
}
