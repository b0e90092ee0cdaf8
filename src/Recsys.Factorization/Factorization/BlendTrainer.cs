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
    private readonly IHoldoutValidator _validator;

    /// <summary>Initializes a new instance of the <see cref="BlendTrainer"/> class.</summary>
    /// <param name="components">The trainers of the blended models; at least one, all built into Recsys.</param>
    /// <param name="validator">Holds out the slice the weights are fitted on (<c>HoldoutValidator.Default</c> from Recsys.Evaluation).</param>
    /// <param name="options">The settings, or <see langword="null"/> for the defaults; validated here.</param>
    public BlendTrainer(IReadOnlyList<IRecommenderTrainer> components, IHoldoutValidator validator, BlendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(components);
        ArgumentNullException.ThrowIfNull(validator);
        _validator = validator;
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

    /// <summary>Gets the weights of the last <see cref="Fit"/>: intercept first, then one per component (with <see cref="BlendOptions.SupportFeatures"/>, the part that does not vary with support).</summary>
    public IReadOnlyList<double> LastWeights { get; private set; } = [];

    /// <inheritdoc />
    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingGuard.ThrowIfEmpty(training);
        var split = _validator.Split(training, _options.ValidationFraction, _options.Seed);
        var m = _components.Count;
        var groups = _options.SupportFeatures ? 3 : 1;
        var n = groups * (m + 1);
        var gram = new double[n * n];
        var rhs = new double[n];
        var validation = split.Test;
        var predictions = new double[validation.Count * (m + 1)];
        var trainUsers = validation.Users.MapTo(split.Train.Users);
        var trainItems = validation.Items.MapTo(split.Train.Items);
        for (var row = 0; row < validation.Count; row++)
        {
            predictions[row * (m + 1)] = 1;
        }

        for (var c = 0; c < m; c++)
        {
            var model = _components[c].Fit(split.Train, null, cancellationToken);
            var userMap = validation.Users.MapTo(model.Users);
            var itemMap = validation.Items.MapTo(model.Items);
            for (var row = 0; row < validation.Count; row++)
            {
                predictions[(row * (m + 1)) + c + 1] = model.Predict(userMap[validation.RowUsers[row]], itemMap[validation.RowItems[row]]);
            }

            progress?.Report(new TrainingProgress(Name, c + 1, 2 * m, double.NaN));
        }

        // Each row's features: the predictions (with a 1 for the intercept), and with support features the same again
        // times ln(1 + the user's training count) and times ln(1 + the item's).
        var x = new double[n];
        var itemOffsets = split.Train.ItemOffsets;
        for (var row = 0; row < validation.Count; row++)
        {
            var p = predictions.AsSpan(row * (m + 1), m + 1);
            p.CopyTo(x);
            if (groups == 3)
            {
                var u = trainUsers[validation.RowUsers[row]];
                var i = trainItems[validation.RowItems[row]];
                var userSupport = u >= 0 ? Math.Log(1 + split.Train.GetUserItems(u).Length) : 0;
                var itemSupport = i >= 0 ? Math.Log(1 + itemOffsets[i + 1] - itemOffsets[i]) : 0;
                for (var k = 0; k <= m; k++)
                {
                    x[m + 1 + k] = userSupport * p[k];
                    x[(2 * (m + 1)) + k] = itemSupport * p[k];
                }
            }

            for (var a = 0; a < n; a++)
            {
                rhs[a] += x[a] * validation.RowValues[row];
                for (var b = 0; b < n; b++)
                {
                    gram[(a * n) + b] += x[a] * x[b];
                }
            }
        }

        for (var a = 1; a < n; a++)
        {
            gram[(a * n) + a] += _options.Ridge * validation.Count;
        }

        if (!DenseMath.SolveSpd(gram, rhs, n))
        {
            throw new InvalidOperationException("The blend's least-squares system is singular: the models' predictions are collinear on the held-out slice.");
        }

        LastWeights = rhs[..(m + 1)];
        var components = new RecommenderBase[m];
        for (var c = 0; c < m; c++)
        {
            components[c] = _components[c].Fit(training, null, cancellationToken) as RecommenderBase
                ?? throw new InvalidOperationException($"The {_components[c].Algorithm} trainer did not build a Recsys model; only those can be blended.");
            progress?.Report(new TrainingProgress(Name, m + c + 1, 2 * m, double.NaN));
        }

        return new BlendModel(Name, rhs[0], components, rhs[1..(m + 1)], groups == 3 ? rhs[(m + 1)..] : null);
    }
}
