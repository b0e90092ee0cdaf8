namespace Recsys.Recommenders;

/// <summary>
/// Common hyper-parameters by name, as the command line and configuration give them; each algorithm applies the
/// ones it has and ignores the rest. <see langword="null"/> keeps the algorithm's default.
/// </summary>
public sealed class AlgorithmSettings
{
    /// <summary>Gets or sets the number of latent factors.</summary>
    public int? Rank { get; set; }

    /// <summary>Gets or sets the number of epochs or iterations.</summary>
    public int? Epochs { get; set; }

    /// <summary>Gets or sets the regularization strength.</summary>
    public double? Regularization { get; set; }

    /// <summary>Gets or sets the (initial) learning rate of SGD-trained models.</summary>
    public double? LearningRate { get; set; }

    /// <summary>Gets or sets the confidence scale of implicit ALS.</summary>
    public double? Alpha { get; set; }

    /// <summary>Gets or sets k, the neighbours a neighbourhood model (item-kNN) uses per prediction.</summary>
    public int? Neighbors { get; set; }

    /// <summary>Gets or sets the similarity shrinkage of a neighbourhood model (item-kNN).</summary>
    public double? Shrinkage { get; set; }

    /// <summary>Gets or sets the number of threads (0 for every core).</summary>
    public int? Threads { get; set; }

    /// <summary>Gets or sets the seed.</summary>
    public ulong? Seed { get; set; }

    /// <summary>Gets or sets the algorithms a blend combines.</summary>
    public IReadOnlyList<string>? Components { get; set; }

    /// <summary>
    /// Gets or sets fixed weights of a <c>hybrid</c>'s components (for example 0.6, 0.4, as the original service);
    /// <see langword="null"/> fits them on a validation slice.
    /// </summary>
    public IReadOnlyList<double>? Weights { get; set; }
}
