using System.Numerics.Tensors;
using Recsys.Baselines;
using Recsys.Data;
using Recsys.Numerics;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>
/// Alternating least squares for explicit ratings with biases: <c>r̂ = μ + b_u + b_i + p_u · q_i</c>, minimizing
/// <c>Σ (r − r̂)² + λ Σ_u n_u (|p_u|² + b_u²) + λ Σ_i n_i (|q_i|² + b_i²)</c> (weighted-λ regularization, Zhou et al.).
/// </summary>
/// <remarks>
/// Each half-iteration solves every user's (then every item's) factors and bias exactly, with a Cholesky solve of
/// a (rank+1)² system, in parallel; the objective therefore never increases. It is reported as the loss.
/// </remarks>
public sealed class AlsTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name, <c>als</c>.</summary>
    public const string Name = "als";

    private readonly AlsOptions _options;

    /// <summary>Initializes a new instance of the <see cref="AlsTrainer"/> class with default options.</summary>
    public AlsTrainer()
        : this(new AlsOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="AlsTrainer"/> class.</summary>
    /// <param name="options">The settings; validated here.</param>
    public AlsTrainer(AlsOptions options)
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
        var mean = training.GlobalMean;
        var p = new float[users * k];
        var q = new float[items * k];
        var bu = new float[users];
        var bi = new float[items];
        var random = RandomSource.ForStream(o.Seed, 7);
        for (var x = 0; x < q.Length; x++)
        {
            q[x] = (float)(random.NextGaussian() * 0.1);
        }

        var byUser = (training.UserOffsets.ToArray(), training.RowItems.ToArray(), training.RowValues.ToArray());
        var byItem = (training.ItemOffsets.ToArray(), training.ItemUsers.ToArray(), training.ItemValues.ToArray());
        for (var iteration = 0; iteration < o.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Solve(users, k, o.Regularization, mean, p, bu, q, bi, byUser, cancellationToken);
            Solve(items, k, o.Regularization, mean, q, bi, p, bu, byItem, cancellationToken);
            if (progress is not null)
            {
                progress.Report(new TrainingProgress(Name, iteration + 1, o.Iterations, Loss(training, k, o.Regularization, mean, p, bu, q, bi)));
            }
        }

        var cold = new float[items];
        for (var i = 0; i < items; i++)
        {
            cold[i] = (float)(mean + bi[i]);
        }

        return new FactorModel(Name, TrainerParameters.ToJson(o), TrainingFootprint.From(training), new FactorModelParts
        {
            Global = mean,
            UserBias = bu,
            ItemBias = bi,
            Rank = k,
            UserFactors = p,
            ItemFactors = q,
            ColdScores = cold,
        });
    }

    /// <summary>The regularized objective the iterations minimize.</summary>
    internal static double Loss(InteractionDataset data, int k, double lambda, double mean, float[] p, float[] bu, float[] q, float[] bi)
    {
        var loss = 0.0;
        for (var row = 0; row < data.Count; row++)
        {
            var u = data.RowUsers[row];
            var i = data.RowItems[row];
            var error = data.RowValues[row] - (mean + bu[u] + bi[i] + TensorPrimitives.Dot(p.AsSpan(u * k, k), q.AsSpan(i * k, k)));
            loss += error * error;
        }

        for (var u = 0; u < bu.Length; u++)
        {
            var n = data.UserOffsets[u + 1] - data.UserOffsets[u];
            loss += lambda * n * (TensorPrimitives.SumOfSquares(p.AsSpan(u * k, k)) + (bu[u] * bu[u]));
        }

        for (var i = 0; i < bi.Length; i++)
        {
            var n = data.ItemOffsets[i + 1] - data.ItemOffsets[i];
            loss += lambda * n * (TensorPrimitives.SumOfSquares(q.AsSpan(i * k, k)) + (bi[i] * bi[i]));
        }

        return loss;
    }

    /// <summary>Solves every row of one side given the other: [x; b] = argmin Σ (r − μ − b_other − b − x·y)² + λ n (|x|² + b²).</summary>
    private static void Solve(
        int rows, int k, double lambda, double mean,
        float[] factors, float[] biases, float[] otherFactors, float[] otherBiases,
        (int[] Offsets, int[] Others, float[] Values) ratings, CancellationToken cancellationToken)
    {
        var (offsets, others, values) = ratings;
        var n = k + 1;
        Parallel.For(
            0,
            rows,
            new ParallelOptions { CancellationToken = cancellationToken },
            () => (A: new double[n * n], B: new double[n], Y: new double[n]),
            (row, _, buffers) =>
            {
                var (a, b, y) = buffers;
                Array.Clear(a);
                Array.Clear(b);
                var start = offsets[row];
                var end = offsets[row + 1];
                for (var j = start; j < end; j++)
                {
                    var other = others[j];
                    var factor = otherFactors.AsSpan(other * k, k);
                    for (var f = 0; f < k; f++)
                    {
                        y[f] = factor[f];
                    }

                    y[k] = 1;
                    var target = values[j] - mean - otherBiases[other];
                    for (var r = 0; r < n; r++)
                    {
                        var yr = y[r];
                        b[r] += target * yr;
                        for (var c = 0; c <= r; c++)
                        {
                            a[(r * n) + c] += yr * y[c];
                        }
                    }
                }

                var penalty = lambda * (end - start);
                for (var r = 0; r < n; r++)
                {
                    a[(r * n) + r] += penalty;
                    for (var c = r + 1; c < n; c++)
                    {
                        a[(r * n) + c] = a[(c * n) + r];
                    }
                }

                if (end > start && DenseMath.SolveSpd(a, b, n))
                {
                    for (var f = 0; f < k; f++)
                    {
                        factors[(row * k) + f] = (float)b[f];
                    }

                    biases[row] = (float)b[k];
                }

                return buffers;
            },
            static _ => { });
    }
}
