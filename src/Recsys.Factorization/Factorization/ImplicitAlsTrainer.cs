using System.Numerics.Tensors;
using Recsys.Baselines;
using Recsys.Data;
using Recsys.Numerics;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>
/// Implicit-feedback ALS (Hu, Koren, Volinsky 2008): every (user, item) pair has preference 1 if the interaction is
/// a positive, else 0, weighted by confidence <c>1 + α</c> for positives and 1 otherwise; minimizes
/// <c>Σ_all c (p − x_u·y_i)² + λ (|X|² + |Y|²)</c>.
/// </summary>
/// <remarks>
/// Each row is updated with a few conjugate-gradient steps warm-started from its previous value, using the shared
/// Gram matrix <c>YᵀY</c> so the cost per row is proportional to its positives, as the <c>implicit</c> library does;
/// rows are solved in parallel. Scores are preferences, not ratings, so predictions are not clamped. Unknown users
/// get the items ranked by positive count.
/// </remarks>
public sealed class ImplicitAlsTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name, <c>als-implicit</c>.</summary>
    public const string Name = "als-implicit";

    private readonly ImplicitAlsOptions _options;

    /// <summary>Initializes a new instance of the <see cref="ImplicitAlsTrainer"/> class with default options.</summary>
    public ImplicitAlsTrainer()
        : this(new ImplicitAlsOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImplicitAlsTrainer"/> class.</summary>
    /// <param name="options">The settings; validated here.</param>
    public ImplicitAlsTrainer(ImplicitAlsOptions options)
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
        var (userOffsets, userItems) = Positives(training.UserOffsets, training.RowItems, training.RowValues, o.PositiveThreshold);
        var (itemOffsets, itemUsers) = Positives(training.ItemOffsets, training.ItemUsers, training.ItemValues, o.PositiveThreshold);
        if (userItems.Length == 0)
        {
            throw new ArgumentException($"No interaction reaches the positive threshold {o.PositiveThreshold}; lower PositiveThreshold for this data.", nameof(training));
        }

        var x = new float[users * k];
        var y = new float[items * k];
        var random = RandomSource.ForStream(o.Seed, 8);
        for (var j = 0; j < x.Length; j++)
        {
            x[j] = (float)(random.NextGaussian() * 0.01);
        }

        for (var j = 0; j < y.Length; j++)
        {
            y[j] = (float)(random.NextGaussian() * 0.01);
        }

        var confidence = (float)(1 + o.Alpha);
        var lambda = (float)o.Regularization;
        for (var iteration = 0; iteration < o.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Update(x, users, y, items, k, userOffsets, userItems, confidence, lambda, o.ConjugateGradientSteps, cancellationToken);
            Update(y, items, x, users, k, itemOffsets, itemUsers, confidence, lambda, o.ConjugateGradientSteps, cancellationToken);
            if (progress is not null)
            {
                progress.Report(new TrainingProgress(Name, iteration + 1, o.Iterations, Loss(x, users, y, items, k, userOffsets, userItems, confidence, lambda)));
            }
        }

        var cold = new float[items];
        for (var i = 0; i < items; i++)
        {
            cold[i] = itemOffsets[i + 1] - itemOffsets[i];
        }

        return new FactorModel(Name, TrainerParameters.ToJson(o), TrainingFootprint.From(training), new FactorModelParts
        {
            Rank = k,
            UserFactors = x,
            ItemFactors = y,
            ColdScores = cold,
            ClampPredictions = false,
        });
    }

    /// <summary>The objective: Σ_u [x_uᵀ YᵀY x_u + Σ_{i∈N(u)} (c (1 − s)² − s²)] + λ (|X|² + |Y|²), with s = x_u · y_i.</summary>
    internal static double Loss(float[] x, int users, float[] y, int items, int k, int[] offsets, int[] positives, float confidence, float lambda)
    {
        var gram = DenseMath.Gram(y, items, k);
        var buffer = new float[k];
        var loss = 0.0;
        for (var u = 0; u < users; u++)
        {
            var xu = x.AsSpan(u * k, k);
            DenseMath.MultiplySquare(gram, xu, buffer, k);
            loss += TensorPrimitives.Dot(xu, buffer);
            for (var j = offsets[u]; j < offsets[u + 1]; j++)
            {
                var s = (double)TensorPrimitives.Dot(xu, y.AsSpan(positives[j] * k, k));
                loss += (confidence * (1 - s) * (1 - s)) - (s * s);
            }
        }

        return loss + (lambda * (TensorPrimitives.SumOfSquares(x) + TensorPrimitives.SumOfSquares(y)));
    }

    private static (int[] Offsets, int[] Columns) Positives(ReadOnlySpan<int> offsets, ReadOnlySpan<int> columns, ReadOnlySpan<float> values, double threshold)
    {
        var rows = offsets.Length - 1;
        var result = new int[rows + 1];
        var kept = new List<int>(columns.Length);
        for (var r = 0; r < rows; r++)
        {
            for (var j = offsets[r]; j < offsets[r + 1]; j++)
            {
                if (values[j] >= threshold)
                {
                    kept.Add(columns[j]);
                }
            }

            result[r + 1] = kept.Count;
        }

        return (result, [.. kept]);
    }

    /// <summary>Conjugate-gradient update of every row of <paramref name="target"/> given <paramref name="fixedFactors"/>.</summary>
    private static void Update(
        float[] target, int rows, float[] fixedFactors, int fixedRows, int k,
        int[] offsets, int[] positives, float confidence, float lambda, int steps, CancellationToken cancellationToken)
    {
        var gram = DenseMath.Gram(fixedFactors, fixedRows, k);
        for (var d = 0; d < k; d++)
        {
            gram[(d * k) + d] += lambda;
        }

        Parallel.For(
            0,
            rows,
            new ParallelOptions { CancellationToken = cancellationToken },
            () => (R: new float[k], P: new float[k], Ap: new float[k]),
            (row, _, buffers) =>
            {
                var (r, p, ap) = buffers;
                var x = target.AsSpan(row * k, k);

                // r = b − A x, with A = YᵀY + λI + Σ (c − 1) y yᵀ and b = Σ c y over the positives.
                DenseMath.MultiplySquare(gram, x, r, k);
                TensorPrimitives.Negate(r, r);
                for (var j = offsets[row]; j < offsets[row + 1]; j++)
                {
                    var yi = fixedFactors.AsSpan(positives[j] * k, k);
                    var s = TensorPrimitives.Dot(yi, x);
                    TensorPrimitives.MultiplyAdd(yi, confidence - ((confidence - 1) * s), r, r);
                }

                r.CopyTo(p, 0);
                var rsOld = TensorPrimitives.Dot(r, r);
                for (var step = 0; step < steps && rsOld > 1e-20f; step++)
                {
                    DenseMath.MultiplySquare(gram, p, ap, k);
                    for (var j = offsets[row]; j < offsets[row + 1]; j++)
                    {
                        var yi = fixedFactors.AsSpan(positives[j] * k, k);
                        TensorPrimitives.MultiplyAdd(yi, (confidence - 1) * TensorPrimitives.Dot(yi, p), ap, ap);
                    }

                    var alpha = rsOld / TensorPrimitives.Dot(p, ap);
                    TensorPrimitives.MultiplyAdd(p, alpha, x, x);
                    TensorPrimitives.MultiplyAdd(ap, -alpha, r, r);
                    var rsNew = TensorPrimitives.Dot(r, r);
                    TensorPrimitives.MultiplyAdd(p, rsNew / rsOld, r, p);
                    rsOld = rsNew;
                }

                return buffers;
            },
            static _ => { });
    }
}
