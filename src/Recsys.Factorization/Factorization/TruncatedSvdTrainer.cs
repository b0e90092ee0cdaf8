using Recsys.Baselines;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>
/// Truncated SVD of the sparse user × item matrix by the randomized range finder with power iterations (Halko et
/// al.), never densifying it: <c>A ≈ U Σ Vᵀ</c>, user factors <c>U Σ</c>, item factors <c>V</c>.
/// </summary>
public sealed class TruncatedSvdTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name of the zero-filled variant, <c>truncated-svd</c>.</summary>
    public const string Name = "truncated-svd";

    /// <summary>The algorithm name of the user-mean-centred variant, <c>truncated-svd-centered</c>.</summary>
    public const string CenteredName = "truncated-svd-centered";

    private readonly TruncatedSvdOptions _options;

    /// <summary>Initializes a new instance of the <see cref="TruncatedSvdTrainer"/> class with default options.</summary>
    public TruncatedSvdTrainer()
        : this(new TruncatedSvdOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TruncatedSvdTrainer"/> class.</summary>
    /// <param name="options">The settings; validated here.</param>
    public TruncatedSvdTrainer(TruncatedSvdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string Algorithm => _options.Centering == SvdCentering.UserMean ? CenteredName : Name;

    /// <inheritdoc />
    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingGuard.ThrowIfEmpty(training);
        var o = _options;
        var users = training.Users.Count;
        var items = training.Items.Count;
        var userMean = new double[users];
        if (o.Centering == SvdCentering.UserMean)
        {
            for (var u = 0; u < users; u++)
            {
                var values = training.GetUserValues(u);
                var sum = 0.0;
                foreach (var value in values)
                {
                    sum += value;
                }

                userMean[u] = sum / values.Length;
            }
        }

        var matrix = ToSparse(training, userMean);
        var (u0, s, v) = RandomizedSvd.Compute(matrix, o.Rank, o.Oversampling, o.PowerIterations, o.Seed, cancellationToken);
        var k = s.Length;
        var userFactors = new float[users * k];
        var itemFactors = new float[items * k];
        for (var r = 0; r < users; r++)
        {
            for (var f = 0; f < k; f++)
            {
                userFactors[(r * k) + f] = (float)(u0[r, f] * s[f]);
            }
        }

        for (var i = 0; i < items; i++)
        {
            for (var f = 0; f < k; f++)
            {
                itemFactors[(i * k) + f] = (float)v[i, f];
            }
        }

        progress?.Report(new TrainingProgress(Algorithm, 1, 1, double.NaN));
        var footprint = TrainingFootprint.From(training);
        var centered = o.Centering == SvdCentering.UserMean;
        return new FactorModel(Algorithm, TrainerParameters.ToJson(o), footprint, new FactorModelParts
        {
            Global = centered ? training.GlobalMean : 0,
            UserBias = centered ? Array.ConvertAll(userMean, m => (float)(m - training.GlobalMean)) : null,
            Rank = k,
            UserFactors = userFactors,
            ItemFactors = itemFactors,
            ColdScores = footprint.ItemCounts(),
        });
    }

    /// <summary>The user × item matrix of the dataset, minus the user means (zeros to subtract nothing).</summary>
    internal static SparseMatrix ToSparse(InteractionDataset data, double[] userMean)
    {
        var rowValues = new double[data.Count];
        for (var row = 0; row < data.Count; row++)
        {
            rowValues[row] = data.RowValues[row] - userMean[data.RowUsers[row]];
        }

        var columnValues = new double[data.Count];
        for (var position = 0; position < data.Count; position++)
        {
            columnValues[position] = rowValues[data.ItemRows[position]];
        }

        return new SparseMatrix(
            data.Users.Count,
            data.Items.Count,
            data.UserOffsets.ToArray(),
            data.RowItems.ToArray(),
            rowValues,
            data.ItemOffsets.ToArray(),
            data.ItemUsers.ToArray(),
            columnValues);
    }
}
