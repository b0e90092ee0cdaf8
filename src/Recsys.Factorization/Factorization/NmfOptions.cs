using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Recsys.Recommenders;

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

/// <summary>The solver of <see cref="NmfTrainer"/>.</summary>
public enum NmfSolver
{
    /// <summary>Coordinate descent (scikit-learn's <c>cd</c>, the default).</summary>
    CoordinateDescent = 0,

    /// <summary>Multiplicative updates for the Frobenius norm (scikit-learn's <c>mu</c>).</summary>
    MultiplicativeUpdate = 1,
}

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

/// <summary>Settings of <see cref="MaskedNmfTrainer"/>, with Surprise's NMF semantics.</summary>
public sealed class MaskedNmfOptions
{
    /// <summary>Gets or sets the number of factors.</summary>
    /// <value>The default value is 15.</value>
    [Range(1, 1024)]
    public int Rank { get; set; } = 15;

    /// <summary>Gets or sets the number of epochs.</summary>
    /// <value>The default value is 50.</value>
    [Range(1, 10_000)]
    public int Epochs { get; set; } = 50;

    /// <summary>Gets or sets the regularization of user factors.</summary>
    /// <value>The default value is 0.06.</value>
    [Range(0.0, 100.0)]
    public double UserRegularization { get; set; } = 0.06;

    /// <summary>Gets or sets the regularization of item factors.</summary>
    /// <value>The default value is 0.06.</value>
    [Range(0.0, 100.0)]
    public double ItemRegularization { get; set; } = 0.06;

    /// <summary>Gets or sets a value indicating whether user and item biases are learned (by SGD) besides the factors.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Biased { get; set; }

    /// <summary>Gets or sets the learning rate of the biases.</summary>
    /// <value>The default value is 0.005.</value>
    [Range(0.0, 1.0)]
    public double BiasLearningRate { get; set; } = 0.005;

    /// <summary>Gets or sets the regularization of the biases.</summary>
    /// <value>The default value is 0.02.</value>
    [Range(0.0, 100.0)]
    public double BiasRegularization { get; set; } = 0.02;

    /// <summary>Gets or sets the seed of the uniform initial factors in [0, 1).</summary>
    /// <value>The default value is 42.</value>
    public ulong Seed { get; set; } = 42;

    /// <summary>Checks the options with the source-generated validator.</summary>
    /// <exception cref="ValidationException">A setting is out of range; the message names it.</exception>
    public void Validate() => OptionsValidation.ThrowIfInvalid(new MaskedNmfOptionsValidator(), this);
}

/// <summary>The source-generated validator of <see cref="NmfOptions"/>.</summary>
[OptionsValidator]
public sealed partial class NmfOptionsValidator : IValidateOptions<NmfOptions>;

/// <summary>The source-generated validator of <see cref="MaskedNmfOptions"/>.</summary>
[OptionsValidator]
public sealed partial class MaskedNmfOptionsValidator : IValidateOptions<MaskedNmfOptions>;
