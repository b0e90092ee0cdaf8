using Recsys.Baselines;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>
/// Biased matrix factorization <c>r̂ = μ + b_u + b_i + p_u · q_i</c> trained by stochastic gradient descent, as
/// Funk/Koren's SVD and LIBMF.
/// </summary>
/// <remarks>
/// <para>With several threads the rating matrix is cut into T×T blocks of random user and item groups; each epoch
/// runs T rounds in which the T threads update T blocks that share no user and no item (stratified SGD, as LIBMF's
/// FPSG and Gemulla's DSGD), so no update conflicts. The schedule is fixed, so results depend only on the seed and
/// the thread count; one thread gives bit-identical results for a seed.</para>
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
        var blocks = new SgdBlocks(training, trainRows, o.EffectiveThreads, o.Seed);
        var userSlots = blocks.UserSlots;
        var itemSlots = blocks.ItemSlots;
        var best = new EarlyStopping(o.Patience);
        var learningRate = (float)o.LearningRate;
        var mu = (float)mean;
        var regularization = (float)o.Regularization;
        var biasRegularization = (float)o.BiasRegularization;

        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rate = learningRate;
            var squaredError = blocks.RunEpoch(epoch, block => RunBlock(block, blocks, state, stride, mu, rate, regularization, biasRegularization));
            learningRate *= (float)o.LearningRateDecay;
            progress?.Report(new TrainingProgress(Name, epoch + 1, o.Epochs, Math.Sqrt(squaredError / trainCount)));

            if (validationRows.Length > 0)
            {
                var rmse = SgdSetup.ValidationRmse(training, validationRows, (u, i) => mu + state.UserBias[userSlots[u]] + state.ItemBias[itemSlots[i]] + Dot(state, stride, userSlots[u], itemSlots[i]));
                if (best.Observe(rmse, state))
                {
                    break;
                }
            }
        }

        var final = best.Best ?? state;
        return final.ToModel(Name, TrainerParameters.ToJson(o), training, mean, null, userSlots, itemSlots);
    }

    /// <summary>One pass over a block: the hot loop, with every array in a local.</summary>
    private static double RunBlock(SgdBlock block, SgdBlocks layout, SgdState state, int stride, float mu, float rate, float regularization, float biasRegularization)
    {
        var p = state.P;
        var q = state.Q;
        var userBias = state.UserBias;
        var itemBias = state.ItemBias;
        var keys = block.Keys;
        var ratings = block.Ratings;
        var levels = layout.Levels;
        var levelMask = (1u << layout.LevelBits) - 1;
        var itemShift = layout.LevelBits;
        var itemMask = (1u << layout.ItemBits) - 1;
        var userShift = layout.ItemBits + layout.LevelBits;
        var userBase = block.UserBase;
        var itemBase = block.ItemBase;
        var sum = 0.0;
        for (var n = 0; n < keys.Length; n++)
        {
            var key = keys[n];
            var user = userBase + (int)((ulong)key >> userShift); // a shift of 32 (one user a group) gives 0
            var item = itemBase + (int)((key >> itemShift) & itemMask);
            var rating = ratings is null ? levels![key & levelMask] : ratings[n];
            ref var bu = ref userBias[user];
            ref var bi = ref itemBias[item];
            var error = SgdKernel.Update(p.AsSpan(user * stride, stride), q.AsSpan(item * stride, stride), mu + bu + bi, rating, rate, regularization);
            bu += rate * (error - (biasRegularization * bu));
            bi += rate * (error - (biasRegularization * bi));
            sum += error * error;
        }

        return sum;
    }

    private static float Dot(SgdState state, int stride, int user, int item) =>
        System.Numerics.Tensors.TensorPrimitives.Dot(state.P.AsSpan(user * stride, stride), state.Q.AsSpan(item * stride, stride));
}
