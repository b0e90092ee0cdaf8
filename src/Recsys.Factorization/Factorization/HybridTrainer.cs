using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>
/// The original service's <c>hybrid</c>: a ranking blend <c>w · score_svd + (1 − w) · score_nmf</c> of two top-N
/// models (by default zero-filled truncated SVD and NMF). The weight is chosen on a validation slice carved from the
/// training data (never the test part) by NDCG@10 over w = 0.1, 0.2, …, 0.9 (both models always contribute:
/// a hybrid that dropped one would be one of its parts), unless fixed weights are given (the
/// original used 0.6 / 0.4); then both models are trained on all the training data.
/// </summary>
public sealed class HybridTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name: <c>hybrid</c>.</summary>
    public const string Name = "hybrid";

    private readonly IReadOnlyList<IRecommenderTrainer> _components;
    private readonly IReadOnlyList<double>? _weights;
    private readonly ulong _seed;
    private readonly IHoldoutValidator? _validator;

    /// <summary>Creates the trainer.</summary>
    /// <param name="components">Two ranking trainers (weights fitted) or any number with <paramref name="weights"/>.</param>
    /// <param name="weights">Fixed weights, one per component, or <see langword="null"/> to fit them on a validation slice.</param>
    /// <param name="seed">The seed of the validation slice.</param>
    /// <param name="validator">
    /// Holds out the validation slice and scores NDCG@10 on it (<c>HoldoutValidator.Default</c> from Recsys.Evaluation);
    /// only needed without <paramref name="weights"/>.
    /// </param>
    public HybridTrainer(IReadOnlyList<IRecommenderTrainer> components, IReadOnlyList<double>? weights = null, ulong seed = 42, IHoldoutValidator? validator = null)
    {
        ArgumentNullException.ThrowIfNull(components);
        if (weights is null && validator is null)
        {
            throw new ArgumentNullException(nameof(validator), "A hybrid without fixed weights chooses its weight on a validation slice: give it an IHoldoutValidator (HoldoutValidator.Default from Recsys.Evaluation).");
        }

        _validator = validator;
        if (weights is null ? components.Count != 2 : weights.Count != components.Count || components.Count == 0)
        {
            throw new ArgumentException(weights is null
                ? $"A hybrid fits the weight of exactly two models; {components.Count} were given (give fixed weights for more)."
                : $"{components.Count} models but {weights.Count} weights were given.", nameof(components));
        }

        if (weights is not null && weights.Any(w => !double.IsFinite(w)))
        {
            throw new ArgumentException("Every hybrid weight must be a finite number.", nameof(weights));
        }

        _components = components;
        _weights = weights;
        _seed = seed;
    }

    /// <inheritdoc />
    public string Algorithm => Name;

    /// <summary>Gets the weights of the last fit.</summary>
    public IReadOnlyList<double> LastWeights { get; private set; } = [];

    /// <inheritdoc />
    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        Baselines.TrainingGuard.ThrowIfEmpty(training);
        var weights = _weights ?? ChooseWeight(training, cancellationToken);
        LastWeights = weights;
        progress?.Report(new TrainingProgress(Name, 1, 2, double.NaN));
        var models = Train(training, cancellationToken);
        progress?.Report(new TrainingProgress(Name, 2, 2, double.NaN));
        return new BlendModel(Name, 0, models, weights);
    }

    private double[] ChooseWeight(InteractionDataset training, CancellationToken cancellationToken)
    {
        var validator = _validator!; // the constructor requires one when the weights are not fixed
        var split = validator.Split(training, 0.1, _seed);
        var models = Train(split.Train, cancellationToken);
        var best = (Weight: 0.0, Ndcg: double.NegativeInfinity);
        for (var step = 1; step <= 9; step++)
        {
            var w = step / 10.0;
            var ndcg = validator.Evaluate(new BlendModel(Name, 0, models, [w, 1 - w]), split.Test, cancellationToken).NdcgAtK;
            if (ndcg > best.Ndcg + 1e-12)
            {
                best = (w, ndcg);
            }
        }

        return [best.Weight, 1 - best.Weight];
    }

    private RecommenderBase[] Train(InteractionDataset data, CancellationToken cancellationToken) =>
        [.. _components.Select(c => c.Fit(data, null, cancellationToken) as RecommenderBase
            ?? throw new InvalidOperationException($"The {c.Algorithm} trainer did not build a Recsys model; only those can be combined."))];
}
