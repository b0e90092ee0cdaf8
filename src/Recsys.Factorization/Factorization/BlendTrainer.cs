using Recsys.Baselines;
using Recsys.Data;
using Recsys.Evaluation;
using Recsys.Numerics;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>
/// A weighted ensemble <c>w₀ + Σ w_k · model_k</c> of other trainers' models. The weights are fitted by ridge
/// least squares on a held-out slice of the training data (the models are first trained on the rest); then every
/// model is retrained on all the training data and combined with those weights.
/// </summary>
public sealed class BlendTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name, <c>blend</c>.</summary>
    public const string Name = "blend";

    private readonly IReadOnlyList<IRecommenderTrainer> _components;
    private readonly BlendOptions _options;

    /// <summary>Initializes a new instance of the <see cref="BlendTrainer"/> class.</summary>
    /// <param name="components">The trainers of the blended models; at least one, all built into Recsys.</param>
    /// <param name="options">The settings, or <see langword="null"/> for the defaults; validated here.</param>
    public BlendTrainer(IReadOnlyList<IRecommenderTrainer> components, BlendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(components);
        if (components.Count == 0)
        {
            throw new ArgumentException("A blend needs at least one trainer.", nameof(components));
        }

        options ??= new BlendOptions();
        options.Validate();
        _components = components;
        _options = options;
    }

    /// <inheritdoc />
    public string Algorithm => Name;

    /// <summary>Gets the weights of the last <see cref="Fit"/>: intercept first, then one per component.</summary>
    public IReadOnlyList<double> LastWeights { get; private set; } = [];

    /// <inheritdoc />
    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingGuard.ThrowIfEmpty(training);
        var split = DataSplitter.RandomHoldout(training, _options.ValidationFraction, _options.Seed);
        var m = _components.Count;
        var n = m + 1;
        var gram = new double[n * n];
        var rhs = new double[n];
        var features = new double[split.Test.Count * n];
        for (var row = 0; row < split.Test.Count; row++)
        {
            features[row * n] = 1;
        }

        for (var c = 0; c < m; c++)
        {
            var model = _components[c].Fit(split.Train, null, cancellationToken);
            var userMap = split.Test.Users.MapTo(model.Users);
            var itemMap = split.Test.Items.MapTo(model.Items);
            for (var row = 0; row < split.Test.Count; row++)
            {
                features[(row * n) + c + 1] = model.Predict(userMap[split.Test.RowUsers[row]], itemMap[split.Test.RowItems[row]]);
            }

            progress?.Report(new TrainingProgress(Name, c + 1, 2 * m, double.NaN));
        }

        for (var row = 0; row < split.Test.Count; row++)
        {
            var x = features.AsSpan(row * n, n);
            for (var a = 0; a < n; a++)
            {
                rhs[a] += x[a] * split.Test.RowValues[row];
                for (var b = 0; b < n; b++)
                {
                    gram[(a * n) + b] += x[a] * x[b];
                }
            }
        }

        for (var a = 1; a < n; a++)
        {
            gram[(a * n) + a] += _options.Ridge * split.Test.Count;
        }

        if (!DenseMath.SolveSpd(gram, rhs, n))
        {
            throw new InvalidOperationException("The blend's least-squares system is singular: the models' predictions are collinear on the held-out slice.");
        }

        LastWeights = rhs;
        var components = new RecommenderBase[m];
        for (var c = 0; c < m; c++)
        {
            components[c] = _components[c].Fit(training, null, cancellationToken) as RecommenderBase
                ?? throw new InvalidOperationException($"The {_components[c].Algorithm} trainer did not build a Recsys model; only those can be blended.");
            progress?.Report(new TrainingProgress(Name, m + c + 1, 2 * m, double.NaN));
        }

        return new BlendModel(Name, rhs[0], components, rhs[1..]);
    }
}
