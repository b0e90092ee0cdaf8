using System.ComponentModel.DataAnnotations;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>Settings of the SGD-trained models: <see cref="BiasedMatrixFactorizationTrainer"/> and <see cref="SvdPlusPlusTrainer"/>.</summary>
public sealed class MatrixFactorizationOptions
{
    /// <summary>Gets or sets the number of latent factors.</summary>
    /// <value>The default value is 50.</value>
    [Range(1, 1024)]
    public int Rank { get; set; } = 50;

    /// <summary>Gets or sets the number of passes over the training data.</summary>
    /// <value>The default value is 50.</value>
    [Range(1, 10_000)]
    public int Epochs { get; set; } = 50;

    /// <summary>Gets or sets the initial learning rate.</summary>
    /// <value>The default value is 0.02.</value>
    [Range(1e-6, 1.0)]
    public double LearningRate { get; set; } = 0.02;

    /// <summary>Gets or sets the factor by which the learning rate is multiplied after every epoch.</summary>
    /// <value>The default value is 0.97.</value>
    [Range(0.1, 1.0)]
    public double LearningRateDecay { get; set; } = 0.97;

    /// <summary>Gets or sets the L2 regularization of the factors.</summary>
    /// <value>The default value is 0.08.</value>
    [Range(0.0, 100.0)]
    public double Regularization { get; set; } = 0.08;

    /// <summary>Gets or sets the L2 regularization of the biases.</summary>
    /// <value>The default value is 0.02.</value>
    [Range(0.0, 100.0)]
    public double BiasRegularization { get; set; } = 0.02;

    /// <summary>Gets or sets the standard deviation of the normal initial factors.</summary>
    /// <value>The default value is 0.1.</value>
    [Range(1e-6, 10.0)]
    public double InitialStandardDeviation { get; set; } = 0.1;

    /// <summary>Gets or sets the number of threads; 0 uses every core. One thread gives bit-identical results for a seed.</summary>
    /// <value>The default value is 0.</value>
    [Range(0, 256)]
    public int Threads { get; set; }

    /// <summary>Gets or sets the seed of the initial factors, the shuffle and the validation slice.</summary>
    /// <value>The default value is 42.</value>
    public ulong Seed { get; set; } = 42;

    /// <summary>Gets or sets the share of the training data held out to stop early; 0 trains every epoch on all of it.</summary>
    /// <value>The default value is 0.</value>
    [Range(0.0, 0.5)]
    public double ValidationFraction { get; set; }

    /// <summary>Gets or sets how many epochs without a better validation RMSE end training (the best epoch's model is kept).</summary>
    /// <value>The default value is 3.</value>
    [Range(1, 1000)]
    public int Patience { get; set; } = 3;

    /// <summary>Checks the options with the source-generated validator.</summary>
    /// <exception cref="ValidationException">A setting is out of range; the message names it.</exception>
    public void Validate() => OptionsValidation.ThrowIfInvalid(new MatrixFactorizationOptionsValidator(), this);

    internal int EffectiveThreads => Threads == 0 ? Environment.ProcessorCount : Threads;
}
