using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Recsys.Baselines;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>What the <see cref="TruncatedSvdTrainer"/> factorizes.</summary>
public enum SvdCentering
{
    /// <summary>The rating matrix with zeros for missing entries, as scikit-learn's TruncatedSVD on a dense matrix (best for top-N).</summary>
    ZeroFilled = 0,

    /// <summary>Each observed rating minus its user's mean, zeros elsewhere; predictions add the user's mean back (for ratings).</summary>
    UserMean = 1,
}

/// <summary>Settings of the <see cref="TruncatedSvdTrainer"/>.</summary>
public sealed class TruncatedSvdOptions
{
    /// <summary>Gets or sets the number of singular triplets kept.</summary>
    /// <value>The default value is 10.</value>
    [Range(1, 2048)]
    public int Rank { get; set; } = 10;

    /// <summary>Gets or sets what is factorized.</summary>
    /// <value>The default value is <see cref="SvdCentering.ZeroFilled"/>.</value>
    public SvdCentering Centering { get; set; } = SvdCentering.ZeroFilled;

    /// <summary>Gets or sets the number of power iterations (scikit-learn's <c>n_iter</c>).</summary>
    /// <value>The default value is 5.</value>
    [Range(0, 100)]
    public int PowerIterations { get; set; } = 5;

    /// <summary>Gets or sets the extra sketch columns beyond the rank.</summary>
    /// <value>The default value is 10.</value>
    [Range(0, 1000)]
    public int Oversampling { get; set; } = 10;

    /// <summary>Gets or sets the seed of the random sketch.</summary>
    /// <value>The default value is 42.</value>
    public ulong Seed { get; set; } = 42;

    /// <summary>Checks the options with the source-generated validator.</summary>
    /// <exception cref="ValidationException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        OptionsValidation.ThrowIfInvalid(new TruncatedSvdOptionsValidator(), this);
        if (!Enum.IsDefined(Centering))
        {
            throw new ValidationException($"Centering {(int)Centering} is not an SvdCentering.");
        }
    }
}

/// <summary>The source-generated validator of <see cref="TruncatedSvdOptions"/>.</summary>
[OptionsValidator]
public sealed partial class TruncatedSvdOptionsValidator : IValidateOptions<TruncatedSvdOptions>;

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
