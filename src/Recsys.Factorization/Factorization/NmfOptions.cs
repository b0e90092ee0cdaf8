using System.ComponentModel.DataAnnotations;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>Settings of <see cref="NmfTrainer"/>, with scikit-learn's semantics.</summary>
public sealed class NmfOptions
{
    /// <summary>Gets or sets the number of components.</summary>
    /// <value>The default value is 10.</value>
    [Range(1, 1024)]
    public int Rank { get; set; } = 10;

    /// <summary>Gets or sets the solver.</summary>
    /// <value>The default value is <see cref="NmfSolver.CoordinateDescent"/>.</value>
    public NmfSolver Solver { get; set; } = NmfSolver.CoordinateDescent;

    /// <summary>Gets or sets the initialization.</summary>
    /// <value>The default value is <see cref="NmfInit.Nndsvda"/>.</value>
    public NmfInit Init { get; set; } = NmfInit.Nndsvda;

    /// <summary>Gets or sets the relative tolerance of the stopping condition.</summary>
    /// <value>The default value is 1e-4.</value>
    [Range(0.0, 1.0)]
    public double Tolerance { get; set; } = 1e-4;

    /// <summary>Gets or sets the maximum number of iterations.</summary>
    /// <value>The default value is 200.</value>
    [Range(1, 100_000)]
    public int MaxIterations { get; set; } = 200;

    /// <summary>Gets or sets the seed of random initialization and of the SVD sketch.</summary>
    /// <value>The default value is 42.</value>
    public ulong Seed { get; set; } = 42;

    /// <summary>Checks the options with the source-generated validator.</summary>
    /// <exception cref="ValidationException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        OptionsValidation.ThrowIfInvalid(new NmfOptionsValidator(), this);
        if (!Enum.IsDefined(Solver) || !Enum.IsDefined(Init))
        {
            throw new ValidationException("Solver or Init is not a defined value.");
        }
    }
}
