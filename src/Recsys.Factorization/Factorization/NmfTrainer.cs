using Recsys.Baselines;
using Recsys.Data;
using Recsys.Numerics;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>
/// Non-negative matrix factorization of the zero-filled user × item matrix, <c>X ≈ W H</c> with <c>W, H ≥ 0</c>,
/// minimizing the Frobenius norm with scikit-learn's semantics: coordinate descent or multiplicative updates,
/// NNDSVD / NNDSVDa / random initialization, relative tolerance and a maximum number of iterations.
/// </summary>
/// <remarks>
/// The matrix stays sparse: <c>X Hᵀ</c> and <c>Xᵀ W</c> are computed from the observed entries and the k × k Gram
/// matrices. Coordinate descent runs over users (then items) in parallel; each row's sequence of updates is the
/// one scikit-learn makes, so results match it up to the initial SVD's randomness.
/// </remarks>
public sealed class NmfTrainer : IRecommenderTrainer
{
    /// <summary>The algorithm name with coordinate descent, <c>nmf</c>.</summary>
    public const string Name = "nmf";

    /// <summary>The algorithm name with multiplicative updates, <c>nmf-mu</c>.</summary>
    public const string MultiplicativeName = "nmf-mu";

    private readonly NmfOptions _options;

    /// <summary>Initializes a new instance of the <see cref="NmfTrainer"/> class with default options.</summary>
    public NmfTrainer()
        : this(new NmfOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NmfTrainer"/> class.</summary>
    /// <param name="options">The settings; validated here.</param>
    public NmfTrainer(NmfOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string Algorithm => _options.Solver == NmfSolver.MultiplicativeUpdate ? MultiplicativeName : Name;

    /// <inheritdoc />
    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingGuard.ThrowIfEmpty(training);
        var o = _options;
        var k = o.Rank;
        var users = training.Users.Count;
        var items = training.Items.Count;
        var x = TruncatedSvdTrainer.ToSparse(training, new double[users]);
        var (w, ht) = Initialize(x, training, k, o, cancellationToken);
        var byUser = (training.UserOffsets.ToArray(), training.RowItems.ToArray(), Array.ConvertAll(training.RowValues.ToArray(), static v => (double)v));
        var byItem = (training.ItemOffsets.ToArray(), training.ItemUsers.ToArray(), Array.ConvertAll(training.ItemValues.ToArray(), static v => (double)v));

        if (o.Solver == NmfSolver.CoordinateDescent)
        {
            var initial = 0.0;
            for (var iteration = 0; iteration < o.MaxIterations; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var violation = CoordinateDescent(byUser, users, w, ht, k) + CoordinateDescent(byItem, items, ht, w, k);
                progress?.Report(new TrainingProgress(Algorithm, iteration + 1, o.MaxIterations, violation));
                if (iteration == 0)
                {
                    initial = violation;
                }

                if (initial == 0 || violation / initial <= o.Tolerance)
                {
                    break;
                }
            }
        }
        else
        {
            var squaredNorm = 0.0;
            foreach (var v in training.RowValues)
            {
                squaredNorm += (double)v * v;
            }

            var initialError = FrobeniusError(byUser, users, w, ht, k, squaredNorm);
            var previous = initialError;
            for (var iteration = 0; iteration < o.MaxIterations; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Multiplicative(byUser, users, w, ht, k);
                Multiplicative(byItem, items, ht, w, k);
                // As scikit-learn, the error is computed (and convergence checked) every 10 iterations.
                var check = o.Tolerance > 0 && (iteration + 1) % 10 == 0;
                var error = check ? FrobeniusError(byUser, users, w, ht, k, squaredNorm) : double.NaN;
                progress?.Report(new TrainingProgress(Algorithm, iteration + 1, o.MaxIterations, error));
                if (check)
                {
                    if ((previous - error) / initialError < o.Tolerance)
                    {
                        break;
                    }

                    previous = error;
                }
            }
        }

        var footprint = TrainingFootprint.From(training);
        return new FactorModel(Algorithm, TrainerParameters.ToJson(o), footprint, new FactorModelParts
        {
            Rank = k,
            UserFactors = Array.ConvertAll(w, static v => (float)v),
            ItemFactors = Array.ConvertAll(ht, static v => (float)v),
            ColdScores = footprint.ItemCounts(),
        });
    }

    /// <summary>NNDSVD (Boutsidis and Gallopoulos 2008), NNDSVDa or scaled random initialization, as scikit-learn.</summary>
    private static (double[] W, double[] Ht) Initialize(SparseMatrix x, InteractionDataset data, int k, NmfOptions o, CancellationToken cancellationToken)
    {
        var users = data.Users.Count;
        var items = data.Items.Count;
        var mean = data.GlobalMean * data.Count / ((double)users * items);
        var w = new double[users * k];
        var ht = new double[items * k];
        if (o.Init == NmfInit.Random)
        {
            var random = RandomSource.ForStream(o.Seed, 10);
            var scale = Math.Sqrt(mean / k);
            for (var j = 0; j < ht.Length; j++)
            {
                ht[j] = scale * Math.Abs(random.NextGaussian());
            }

            for (var j = 0; j < w.Length; j++)
            {
                w[j] = scale * Math.Abs(random.NextGaussian());
            }

            return (w, ht);
        }

        var (u, s, v) = RandomizedSvd.Compute(x, k, 10, 4, o.Seed, cancellationToken);
        var rank = Math.Min(k, s.Length);
        for (var r = 0; r < users; r++)
        {
            w[r * k] = Math.Sqrt(s[0]) * Math.Abs(u[r, 0]);
        }

        for (var i = 0; i < items; i++)
        {
            ht[i * k] = Math.Sqrt(s[0]) * Math.Abs(v[i, 0]);
        }

        for (var j = 1; j < rank; j++)
        {
            var ux = u.Column(j).ToArray();
            var vy = v.Column(j).ToArray();
            var (upNorm, unNorm) = SignedNorms(ux);
            var (vpNorm, vnNorm) = SignedNorms(vy);
            var usePositive = upNorm * vpNorm > unNorm * vnNorm;
            var (uNorm, vNorm) = usePositive ? (upNorm, vpNorm) : (unNorm, vnNorm);
            var lambda = Math.Sqrt(s[j] * uNorm * vNorm);
            for (var r = 0; r < users; r++)
            {
                var e = usePositive ? Math.Max(ux[r], 0) : Math.Max(-ux[r], 0);
                w[(r * k) + j] = uNorm > 0 ? lambda * e / uNorm : 0;
            }

            for (var i = 0; i < items; i++)
            {
                var e = usePositive ? Math.Max(vy[i], 0) : Math.Max(-vy[i], 0);
                ht[(i * k) + j] = vNorm > 0 ? lambda * e / vNorm : 0;
            }
        }

        const double Eps = 1e-6;
        var fill = o.Init == NmfInit.Nndsvda ? mean : 0;
        for (var j = 0; j < w.Length; j++)
        {
            w[j] = w[j] < Eps ? fill : w[j];
        }

        for (var j = 0; j < ht.Length; j++)
        {
            ht[j] = ht[j] < Eps ? fill : ht[j];
        }

        return (w, ht);
    }

    private static (double Positive, double Negative) SignedNorms(double[] values)
    {
        double positive = 0, negative = 0;
        foreach (var e in values)
        {
            positive += e > 0 ? e * e : 0;
            negative += e < 0 ? e * e : 0;
        }

        return (Math.Sqrt(positive), Math.Sqrt(negative));
    }

    /// <summary>One coordinate-descent sweep over the rows of <paramref name="w"/> (scikit-learn's _update_cdnmf_fast); returns the projected-gradient violation.</summary>
    internal static double CoordinateDescent((int[] Offsets, int[] Columns, double[] Values) x, int rows, double[] w, double[] ht, int k)
    {
        var gram = Gram(ht, k);
        var parts = Math.Max(1, Math.Min(4 * Environment.ProcessorCount, rows / 64));
        var violations = new double[parts];
        Parallel.For(0, parts, part =>
        {
            Span<double> xht = new double[k];
            var offsets = x.Offsets;
            var columns = x.Columns;
            var values = x.Values;
            var violation = 0.0;
            var end = (int)((long)rows * (part + 1) / parts);
            for (var r = (int)((long)rows * part / parts); r < end; r++)
            {
                // Scalar loops bounded by span lengths (no bounds checks): for the small ranks NMF is used with, a
                // vector call per row costs more than it saves.
                xht.Clear();
                for (var j = offsets[r]; j < offsets[r + 1]; j++)
                {
                    var value = values[j];
                    var other = ht.AsSpan(columns[j] * k, xht.Length);
                    for (var t = 0; t < other.Length; t++)
                    {
                        xht[t] += value * other[t];
                    }
                }

                var row = w.AsSpan(r * k, xht.Length);
                for (var t = 0; t < row.Length; t++)
                {
                    var gramRow = gram.AsSpan(t * k, row.Length);
                    var gradient = -xht[t];
                    for (var s = 0; s < gramRow.Length; s++)
                    {
                        gradient += gramRow[s] * row[s];
                    }

                    var projected = row[t] == 0 ? Math.Min(0, gradient) : gradient;
                    violation += Math.Abs(projected);
                    var hessian = gramRow[t];
                    if (hessian != 0)
                    {
                        row[t] = Math.Max(row[t] - (gradient / hessian), 0);
                    }
                }
            }

            violations[part] = violation;
        });
        var total = 0.0;
        foreach (var v in violations)
        {
            total += v;
        }

        return total;
    }

    /// <summary>w ← w ∘ (X Hᵀ) / (W H Hᵀ), the Frobenius multiplicative update.</summary>
    private static void Multiplicative((int[] Offsets, int[] Columns, double[] Values) x, int rows, double[] w, double[] ht, int k)
    {
        var gram = Gram(ht, k);
        Parallel.For(0, rows, () => (Numerator: new double[k], Denominator: new double[k]), (r, _, buffers) =>
        {
            var (numerator, denominator) = buffers;
            Array.Clear(numerator);
            for (var j = x.Offsets[r]; j < x.Offsets[r + 1]; j++)
            {
                var c = x.Columns[j];
                for (var t = 0; t < k; t++)
                {
                    numerator[t] += x.Values[j] * ht[(c * k) + t];
                }
            }

            var row = w.AsSpan(r * k, k);
            for (var t = 0; t < k; t++)
            {
                var d = 0.0;
                for (var s = 0; s < k; s++)
                {
                    d += row[s] * gram[(s * k) + t];
                }

                denominator[t] = d == 0 ? double.Epsilon : d;
            }

            for (var t = 0; t < k; t++)
            {
                row[t] *= numerator[t] / denominator[t];
            }

            return buffers;
        }, static _ => { });
    }

    /// <summary>‖X − W H‖_F = sqrt(‖X‖² − 2 Σ_obs x (W H) + tr((WᵀW)(H Hᵀ))).</summary>
    private static double FrobeniusError((int[] Offsets, int[] Columns, double[] Values) x, int rows, double[] w, double[] ht, int k, double squaredNorm)
    {
        var cross = 0.0;
        for (var r = 0; r < rows; r++)
        {
            for (var j = x.Offsets[r]; j < x.Offsets[r + 1]; j++)
            {
                var c = x.Columns[j];
                var dot = 0.0;
                for (var t = 0; t < k; t++)
                {
                    dot += w[(r * k) + t] * ht[(c * k) + t];
                }

                cross += x.Values[j] * dot;
            }
        }

        var wtw = Gram(w, k);
        var hht = Gram(ht, k);
        var trace = 0.0;
        for (var a = 0; a < k * k; a++)
        {
            trace += wtw[a] * hht[a];
        }

        return Math.Sqrt(Math.Max(0, squaredNorm - (2 * cross) + trace));
    }

    /// <summary>mᵀm for a row-major (rows × k) matrix; parallel, summed in a fixed order.</summary>
    private static double[] Gram(double[] m, int k)
    {
        var rows = m.Length / k;
        var parts = Math.Max(1, Math.Min(Environment.ProcessorCount, rows / 1024));
        var partial = new double[parts][];
        Parallel.For(0, parts, part =>
        {
            var local = new double[k * k];
            var end = (int)((long)rows * (part + 1) / parts);
            for (var r = (int)((long)rows * part / parts); r < end; r++)
            {
                var row = m.AsSpan(r * k, k);
                for (var a = 0; a < k; a++)
                {
                    var va = row[a];
                    if (va == 0)
                    {
                        continue;
                    }

                    var target = local.AsSpan(a * k, k);
                    for (var b = 0; b < k; b++)
                    {
                        target[b] += va * row[b];
                    }
                }
            }

            partial[part] = local;
        });
        for (var part = 1; part < parts; part++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(partial[0], partial[part], partial[0]);
        }

        return partial[0];
    }
}
