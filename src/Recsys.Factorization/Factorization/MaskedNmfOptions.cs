using System.ComponentModel.DataAnnotations;
using Recsys.Recommenders;

namespace Recsys.Factorization;

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
