using Recsys.Baselines;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>
/// Biased matrix factorization <c>r̂ = μ + b_u + b_i + p_u · q_i</c> trained by stochastic gradient descent, as
/// Funk/Koren's SVD and LIBMF.
/// </summary>
/// <remarks>
/// <para>The rating matrix is cut into G×G blocks of user and item groups; each epoch runs G rounds in which the
/// threads update G blocks that share no user and no item (stratified SGD, as LIBMF's FPSG and Gemulla's DSGD), so no
/// update conflicts. The blocks are runs of the dataset's own rows: training copies no rating. The schedule is fixed,
/// so results depend only on the seed and the thread count; one thread gives bit-identical results for a seed.</para>
/// <para>The inner loop uses SIMD vectors over factor rows padded to the vector width. The learning rate decays
/// geometrically; with <see cref="MatrixFactorizationOptions.ValidationFraction"/> set, training stops when the
/// validation RMSE has not improved for <see cref="MatrixFactorizationOptions.Patience"/> epochs and keeps the best epoch.</para>
/// </remarks>
public sealed class BiasedMatrixFactorizationTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name, <c>biased-mf</c>.</summary>
    public const string Name = "biased-mf";

    private readonly MatrixFactorizationOptions _options;

    /// <summary>Initializes a new instance of the <see cref="BiasedMatrixFactorizationTrainer"/> class with default options.</summary>
    public BiasedMatrixFactorizationTrainer()
        : this(new MatrixFactorizationOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BiasedMatrixFactorizationTrainer"/> class.</summary>
    /// <param name="options">The settings; validated here.</param>
    public BiasedMatrixFactorizationTrainer(MatrixFactorizationOptions options)
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
        var users = training.Users.Count;
        var items = training.Items.Count;
        var stride = SgdKernel.Stride(o.Rank);
        var (trainRows, validationRows, trainCount) = SgdSetup.SplitRows(training, o.ValidationFraction, o.Seed);

        var mean = SgdSetup.Mean(training, trainRows);
        var state = new SgdState(users, items, stride, o.Rank, o.InitialStandardDeviation, o.Seed);
        var grid = new SgdGrid(training, validationRows, o.EffectiveThreads, stride, o.Seed);
        var ratings = new Ratings(training);
        var best = new EarlyStopping(o.Patience);
        var learningRate = (float)o.LearningRate;
        var mu = (float)mean;
        var regularization = (float)o.Regularization;
        var biasRegularization = (float)o.BiasRegularization;

        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rate = learningRate;
            var squaredError = grid.RunEpoch(epoch, (userGroup, itemGroup) => RunBlock(grid, userGroup, itemGroup, ratings, state, stride, mu, rate, regularization, biasRegularization));
            learningRate *= (float)o.LearningRateDecay;
            progress?.Report(new TrainingProgress(Name, epoch + 1, o.Epochs, Math.Sqrt(squaredError / trainCount)));

            if (validationRows.Length > 0)
            {
                var rmse = SgdSetup.ValidationRmse(training, validationRows, (u, i) => mu + state.UserBias[u] + state.ItemBias[i] + Dot(state, stride, u, i));
                if (best.Observe(rmse, state))
                {
                    break;
                }
            }
        }

        var final = best.Best ?? state;
        return final.ToModel(Name, TrainerParameters.ToJson(o), training, mean);
    }

    /// <summary>One pass over a block, user by user, each user's row of factors reused across its run of ratings: the hot loop, with every array in a local.</summary>
    private static double RunBlock(SgdGrid grid, int userGroup, int itemGroup, Ratings ratings, SgdState state, int stride, float mu, float rate, float regularization, float biasRegularization)
    {
        var p = state.P;
        var q = state.Q;
        var userBias = state.UserBias;
        var itemBias = state.ItemBias;
        var items = ratings.Items;
        var levels = ratings.Levels;
        var rowLevels = ratings.RowLevels;
        var values = ratings.Values;
        var excluded = grid.Excluded;
        var sum = 0.0;
        var (first, last) = grid.Users(userGroup);
        for (var user = first; user < last; user++)
        {
            var (start, end) = grid.Rows(user, itemGroup);
            if (start == end)
            {
                continue;
            }

            var pu = p.AsSpan(user * stride, stride);
            ref var bu = ref userBias[user];
            for (var row = start; row < end; row++)
            {
                if (excluded is not null && (excluded[row >> 6] & (1UL << row)) != 0)
                {
                    continue;
                }

                var item = items[row];
                var rating = rowLevels is not null ? levels![rowLevels[row]] : values![row];
                ref var bi = ref itemBias[item];
                var error = SgdKernel.Update(pu, q.AsSpan(item * stride, stride), mu + bu + bi, rating, rate, regularization);
                bu += rate * (error - (biasRegularization * bu));
                bi += rate * (error - (biasRegularization * bi));
                sum += error * error;
            }
        }

        return sum;
    }

    private static float Dot(SgdState state, int stride, int user, int item) =>
        System.Numerics.Tensors.TensorPrimitives.Dot(state.P.AsSpan(user * stride, stride), state.Q.AsSpan(item * stride, stride));

    // The dataset's items and values as arrays: its levels and a byte a row when it keeps them so (nothing is copied),
    // else its float values.
    private sealed class Ratings
    {
        public Ratings(InteractionDataset data)
        {
            Items = data.SharedUserItems.RowItems;
            if (data.ValueLevels is { } levels)
            {
                (Levels, RowLevels) = levels;
            }
            else
            {
                Values = data.RowValueArray;
            }
        }

        public int[] Items { get; }

        public float[]? Levels { get; }

        public byte[]? RowLevels { get; }

        public float[]? Values { get; }
    }
}
