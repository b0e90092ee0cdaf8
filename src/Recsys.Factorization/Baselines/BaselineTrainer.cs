using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Baselines;

/// <summary>
/// The regularized bias model <c>r̂(u,i) = μ + b_u + b_i</c>, fitted by alternating least squares as Surprise's
/// <c>BaselineOnly</c>: each epoch sets every <c>b_i = Σ(r − μ − b_u) / (λ_i + n_i)</c>, then every
/// <c>b_u = Σ(r − μ − b_i) / (λ_u + n_u)</c>.
/// </summary>
/// <remarks>
/// Predictions are clamped to the training value range. An unknown user gets <c>μ + b_i</c>, an unknown item
/// <c>μ + b_u</c>. Top-N ranks by <c>b_i</c>, which is also the cold-start ranking.
/// </remarks>
public sealed class BaselineTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name, <c>baseline</c>.</summary>
    public const string Name = "baseline";

    private readonly BaselineOptions _options;

    /// <summary>Initializes a new instance of the <see cref="BaselineTrainer"/> class with default options.</summary>
    public BaselineTrainer()
        : this(new BaselineOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BaselineTrainer"/> class.</summary>
    /// <param name="options">The settings; validated here.</param>
    public BaselineTrainer(BaselineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string Algorithm => Name;

    /// <inheritdoc />
    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingGuard.ThrowIfEmpty(training);
        var (mean, userBias, itemBias) = FitBiases(training, _options, progress, cancellationToken);
        var cold = new float[itemBias.Length];
        for (var i = 0; i < cold.Length; i++)
        {
            cold[i] = (float)(mean + itemBias[i]);
        }

        return new FactorModel(Name, TrainerParameters.ToJson(_options), TrainingFootprint.From(training), new FactorModelParts
        {
            Global = mean,
            UserBias = Array.ConvertAll(userBias, static b => (float)b),
            ItemBias = Array.ConvertAll(itemBias, static b => (float)b),
            ColdScores = cold,
        });
    }

    /// <summary>Fits the regularized biases by alternating least squares (Koren's baselines, Surprise's 'als' method).</summary>
    internal static (double Mean, double[] UserBias, double[] ItemBias) FitBiases(InteractionDataset training, BaselineOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var mean = training.GlobalMean;
        var userBias = new double[training.Users.Count];
        var itemBias = new double[training.Items.Count];
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < itemBias.Length; i++)
            {
                var users = training.GetItemUsers(i);
                var values = training.GetItemValues(i);
                var sum = 0.0;
                for (var k = 0; k < users.Length; k++)
                {
                    sum += values[k] - mean - userBias[users[k]];
                }

                itemBias[i] = sum / (options.ItemRegularization + users.Length);
            }

            for (var u = 0; u < userBias.Length; u++)
            {
                var items = training.GetUserItems(u);
                var values = training.GetUserValues(u);
                var sum = 0.0;
                for (var k = 0; k < items.Length; k++)
                {
                    sum += values[k] - mean - itemBias[items[k]];
                }

                userBias[u] = sum / (options.UserRegularization + items.Length);
            }

            progress?.Report(new TrainingProgress(Name, epoch + 1, options.Epochs, double.NaN));
        }

        return (mean, userBias, itemBias);
    }
}
