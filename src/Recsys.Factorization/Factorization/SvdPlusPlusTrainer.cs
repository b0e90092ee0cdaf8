using Recsys.Baselines;
using Recsys.Data;
using Recsys.Numerics;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>
/// Koren's SVD++: <c>r̂ = μ + b_u + b_i + q_i · (p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j)</c>, where N(u) are the items the
/// user rated, trained by SGD.
/// </summary>
/// <remarks>
/// Ratings are visited user by user. The implicit sum <c>|N(u)|^-½ Σ y_j</c> is computed once per user visit and
/// the gradients of the <c>y_j</c> are accumulated over the user's ratings and applied once at the end of the
/// visit, so an epoch costs a small multiple of biased MF instead of recomputing the sum for every rating.
/// Single-threaded (the <c>y_j</c> are shared by all users); deterministic for a seed. The trained model folds the
/// implicit sum into each user's factor row.
/// </remarks>
public sealed class SvdPlusPlusTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name, <c>svdpp</c>.</summary>
    public const string Name = "svdpp";

    private readonly MatrixFactorizationOptions _options;

    /// <summary>Initializes a new instance of the <see cref="SvdPlusPlusTrainer"/> class with the defaults of <see cref="CreateDefaultOptions"/>.</summary>
    public SvdPlusPlusTrainer()
        : this(CreateDefaultOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SvdPlusPlusTrainer"/> class.</summary>
    /// <param name="options">The settings (<see cref="MatrixFactorizationOptions.Threads"/> is ignored); validated here.</param>
    public SvdPlusPlusTrainer(MatrixFactorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string Algorithm => Name;

    /// <summary>Creates the SVD++ defaults: rank 20, 30 epochs, learning rate 0.007 decaying by 0.95, regularization 0.08 (biases 0.01).</summary>
    /// <returns>The options.</returns>
    public static MatrixFactorizationOptions CreateDefaultOptions() => new()
    {
        Rank = 20,
        Epochs = 30,
        LearningRate = 0.007,
        LearningRateDecay = 0.95,
        Regularization = 0.08,
        BiasRegularization = 0.01,
        Threads = 1,
    };

    /// <inheritdoc />
    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingGuard.ThrowIfEmpty(training);
        var o = _options;
        var users = training.Users.Count;
        var items = training.Items.Count;
        var rank = o.Rank;
        var stride = rank;
        var (trainRows, validationRows, trainCount) = SgdSetup.SplitRows(training, o.ValidationFraction, o.Seed);
        var isTrain = new bool[training.Count];
        if (trainRows is null)
        {
            Array.Fill(isTrain, true);
        }
        else
        {
            foreach (var row in trainRows)
            {
                isTrain[row] = true;
            }
        }

        var mean = SgdSetup.Mean(training, trainRows);
        var mu = (float)mean;
        var state = new SgdState(users, items, stride, rank, o.InitialStandardDeviation, o.Seed);
        var y = new float[items * rank];
        var z = new float[rank];
        var gradient = new float[rank];
        var userOrder = new int[users];
        for (var u = 0; u < users; u++)
        {
            userOrder[u] = u;
        }

        var random = RandomSource.ForStream(o.Seed, 5);
        var rowsOfUser = new int[training.Count];
        var best = new EarlyStopping(o.Patience);
        var learningRate = (float)o.LearningRate;
        var reg = (float)o.Regularization;
        var biasReg = (float)o.BiasRegularization;

        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            random.Shuffle(userOrder.AsSpan());
            var squaredError = 0.0;
            var lr = learningRate;
            foreach (var u in userOrder)
            {
                var start = training.UserOffsets[u];
                var end = training.UserOffsets[u + 1];
                var count = 0;
                for (var row = start; row < end; row++)
                {
                    if (isTrain[row])
                    {
                        rowsOfUser[count++] = row;
                    }
                }

                if (count == 0)
                {
                    continue;
                }

                var mine = rowsOfUser.AsSpan(0, count);
                random.Shuffle(mine);
                var norm = 1f / MathF.Sqrt(count);
                z.AsSpan().Clear();
                foreach (var row in mine)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(z, y.AsSpan(training.RowItems[row] * rank, rank), z);
                }

                System.Numerics.Tensors.TensorPrimitives.Multiply(z, norm, z);
                gradient.AsSpan().Clear();
                var p = state.P.AsSpan(u * stride, rank);
                ref var bu = ref state.UserBias[u];
                foreach (var row in mine)
                {
                    var i = training.RowItems[row];
                    var q = state.Q.AsSpan(i * stride, rank);
                    ref var bi = ref state.ItemBias[i];
                    var dot = 0f;
                    for (var f = 0; f < rank; f++)
                    {
                        dot += q[f] * (p[f] + z[f]);
                    }

                    var error = training.RowValues[row] - (mu + bu + bi + dot);
                    squaredError += error * error;
                    bu += lr * (error - (biasReg * bu));
                    bi += lr * (error - (biasReg * bi));
                    for (var f = 0; f < rank; f++)
                    {
                        var qf = q[f];
                        q[f] += lr * ((error * (p[f] + z[f])) - (reg * qf));
                        p[f] += lr * ((error * qf) - (reg * p[f]));
                        gradient[f] += error * qf;
                    }
                }

                foreach (var row in mine)
                {
                    var yj = y.AsSpan(training.RowItems[row] * rank, rank);
                    for (var f = 0; f < rank; f++)
                    {
                        yj[f] += lr * ((norm * gradient[f]) - (reg * yj[f]));
                    }
                }
            }

            learningRate *= (float)o.LearningRateDecay;
            progress?.Report(new TrainingProgress(Name, epoch + 1, o.Epochs, Math.Sqrt(squaredError / trainCount)));
            if (validationRows.Length > 0)
            {
                var effective = EffectiveUserFactors(training, isTrain, state, y, rank);
                var rmse = SgdSetup.ValidationRmse(training, validationRows, (u, i) =>
                    mu + state.UserBias[u] + state.ItemBias[i]
                    + System.Numerics.Tensors.TensorPrimitives.Dot(effective.AsSpan(u * rank, rank), state.Q.AsSpan(i * rank, rank)));
                if (best.Observe(rmse, state))
                {
                    break;
                }
            }
        }

        // Early stopping keeps the best biases and factors; the y of the last epoch are close enough to fold in.
        var final = best.Best ?? state;
        return final.ToModel(Name, TrainerParameters.ToJson(o), training, mean, EffectiveUserFactors(training, isTrain, final, y, rank));
    }

    /// <summary>p_u + |N(u)|^-½ Σ y_j for every user.</summary>
    private static float[] EffectiveUserFactors(InteractionDataset training, bool[] isTrain, SgdState state, float[] y, int rank)
    {
        var result = (float[])state.P.Clone();
        for (var u = 0; u < training.Users.Count; u++)
        {
            var row = result.AsSpan(u * rank, rank);
            var count = 0;
            for (var r = training.UserOffsets[u]; r < training.UserOffsets[u + 1]; r++)
            {
                if (isTrain[r])
                {
                    count++;
                }
            }

            if (count == 0)
            {
                continue;
            }

            var norm = 1f / MathF.Sqrt(count);
            for (var r = training.UserOffsets[u]; r < training.UserOffsets[u + 1]; r++)
            {
                if (isTrain[r])
                {
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(y.AsSpan(training.RowItems[r] * rank, rank), norm, row, row);
                }
            }
        }

        return result;
    }
}
