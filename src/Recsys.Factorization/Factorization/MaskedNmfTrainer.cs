using Recsys.Baselines;
using Recsys.Data;
using Recsys.Numerics;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>
/// Non-negative factorization over the observed ratings only, with Surprise's NMF algorithm (Luo et al. 2014):
/// regularized multiplicative updates of user and item factors that start in [0, 1), optionally with user and item
/// biases learned by SGD. Factors never become negative.
/// </summary>
public sealed class MaskedNmfTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name, <c>nmf-masked</c>.</summary>
    public const string Name = "nmf-masked";

    private readonly MaskedNmfOptions _options;

    /// <summary>Initializes a new instance of the <see cref="MaskedNmfTrainer"/> class with default options.</summary>
    public MaskedNmfTrainer()
        : this(new MaskedNmfOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MaskedNmfTrainer"/> class.</summary>
    /// <param name="options">The settings; validated here.</param>
    public MaskedNmfTrainer(MaskedNmfOptions options)
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
        var o = _options;
        var k = o.Rank;
        var users = training.Users.Count;
        var items = training.Items.Count;
        var mean = o.Biased ? training.GlobalMean : 0.0;
        var p = new double[users * k];
        var q = new double[items * k];
        var random = RandomSource.ForStream(o.Seed, 11);
        for (var j = 0; j < p.Length; j++)
        {
            p[j] = random.NextDouble();
        }

        for (var j = 0; j < q.Length; j++)
        {
            q[j] = random.NextDouble();
        }

        var bu = new double[users];
        var bi = new double[items];
        var userNumerator = new double[users * k];
        var userDenominator = new double[users * k];
        var itemNumerator = new double[items * k];
        var itemDenominator = new double[items * k];
        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (o.Biased)
            {
                for (var row = 0; row < training.Count; row++)
                {
                    var u = training.RowUsers[row];
                    var i = training.RowItems[row];
                    var error = training.RowValues[row] - (mean + bu[u] + bi[i] + Dot(p, q, u, i, k));
                    bu[u] += o.BiasLearningRate * (error - (o.BiasRegularization * bu[u]));
                    bi[i] += o.BiasLearningRate * (error - (o.BiasRegularization * bi[i]));
                }
            }

            Array.Clear(userNumerator);
            Array.Clear(userDenominator);
            Array.Clear(itemNumerator);
            Array.Clear(itemDenominator);
            var squaredError = 0.0;
            for (var row = 0; row < training.Count; row++)
            {
                var u = training.RowUsers[row];
                var i = training.RowItems[row];
                var r = training.RowValues[row];
                var estimate = mean + bu[u] + bi[i] + Dot(p, q, u, i, k);
                squaredError += (r - estimate) * (r - estimate);
                for (var f = 0; f < k; f++)
                {
                    userNumerator[(u * k) + f] += q[(i * k) + f] * r;
                    userDenominator[(u * k) + f] += q[(i * k) + f] * estimate;
                    itemNumerator[(i * k) + f] += p[(u * k) + f] * r;
                    itemDenominator[(i * k) + f] += p[(u * k) + f] * estimate;
                }
            }

            Apply(p, userNumerator, userDenominator, training.UserOffsets, o.UserRegularization, k);
            Apply(q, itemNumerator, itemDenominator, training.ItemOffsets, o.ItemRegularization, k);
            progress?.Report(new TrainingProgress(Name, epoch + 1, o.Epochs, Math.Sqrt(squaredError / training.Count)));
        }

        var footprint = TrainingFootprint.From(training);
        var cold = footprint.ItemCounts();
        if (o.Biased)
        {
            for (var i = 0; i < items; i++)
            {
                cold[i] = (float)(mean + bi[i]);
            }
        }

        return new FactorModel(Name, TrainerParameters.ToJson(o), footprint, new FactorModelParts
        {
            Global = mean,
            UserBias = o.Biased ? Array.ConvertAll(bu, static b => (float)b) : null,
            ItemBias = o.Biased ? Array.ConvertAll(bi, static b => (float)b) : null,
            Rank = k,
            UserFactors = Array.ConvertAll(p, static v => (float)v),
            ItemFactors = Array.ConvertAll(q, static v => (float)v),
            ColdScores = cold,
        });
    }

    private static double Dot(double[] p, double[] q, int u, int i, int k)
    {
        var sum = 0.0;
        for (var f = 0; f < k; f++)
        {
            sum += p[(u * k) + f] * q[(i * k) + f];
        }

        return sum;
    }

    /// <summary>x ← x · num / (den + n λ x), kept at or above zero.</summary>
    private static void Apply(double[] factors, double[] numerator, double[] denominator, ReadOnlySpan<int> offsets, double lambda, int k)
    {
        for (var row = 0; row < offsets.Length - 1; row++)
        {
            var n = offsets[row + 1] - offsets[row];
            for (var f = 0; f < k; f++)
            {
                var at = (row * k) + f;
                var d = denominator[at] + (n * lambda * factors[at]);
                if (d > 0)
                {
                    factors[at] = Math.Max(0, factors[at] * numerator[at] / d);
                }
            }
        }
    }
}
