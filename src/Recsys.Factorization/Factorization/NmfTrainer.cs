using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
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
        var (w0, ht0) = Initialize(x, training, k, o, cancellationToken);

        // The solvers work on rows padded with zeros to a whole number of SIMD vectors (10 → 12 with AVX2): padded
        // entries stay zero (their Gram rows and columns are zero and they are never updated), so every inner loop
        // is a few full-vector operations.
        var stride = Stride(k);
        var w = Pad(w0, k, stride);
        var ht = Pad(ht0, k, stride);
        var byUser = (training.UserOffsets.ToArray(), training.RowItems.ToArray(), Array.ConvertAll(training.RowValues.ToArray(), static v => (double)v));
        var byItem = (training.ItemOffsets.ToArray(), training.ItemUsers.ToArray(), Array.ConvertAll(training.ItemValues.ToArray(), static v => (double)v));

        if (o.Solver == NmfSolver.CoordinateDescent)
        {
            var initial = 0.0;
            for (var iteration = 0; iteration < o.MaxIterations; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var violation = CoordinateDescent(byUser, users, w, ht, k, stride) + CoordinateDescent(byItem, items, ht, w, k, stride);
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

            var initialError = FrobeniusError(byUser, users, w, ht, stride, squaredNorm);
            var previous = initialError;
            for (var iteration = 0; iteration < o.MaxIterations; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Multiplicative(byUser, users, w, ht, k, stride);
                Multiplicative(byItem, items, ht, w, k, stride);
                // As scikit-learn, the error is computed (and convergence checked) every 10 iterations.
                var check = o.Tolerance > 0 && (iteration + 1) % 10 == 0;
                var error = check ? FrobeniusError(byUser, users, w, ht, stride, squaredNorm) : double.NaN;
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
            UserFactors = Unpad(w, k, stride),
            ItemFactors = Unpad(ht, k, stride),
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

    /// <summary>The row length of the padded working matrices: <paramref name="k"/> rounded up to whole vectors.</summary>
    internal static int Stride(int k) => (k + Vector<double>.Count - 1) / Vector<double>.Count * Vector<double>.Count;

    private static double[] Pad(double[] m, int k, int stride)
    {
        var rows = m.Length / k;
        var padded = new double[rows * stride];
        for (var r = 0; r < rows; r++)
        {
            m.AsSpan(r * k, k).CopyTo(padded.AsSpan(r * stride, k));
        }

        return padded;
    }

    private static float[] Unpad(double[] padded, int k, int stride)
    {
        var rows = padded.Length / stride;
        var m = new float[rows * k];
        for (var r = 0; r < rows; r++)
        {
            for (var t = 0; t < k; t++)
            {
                m[(r * k) + t] = (float)padded[(r * stride) + t];
            }
        }

        return m;
    }

    /// <summary>
    /// One coordinate-descent sweep over the rows of <paramref name="w"/> (scikit-learn's _update_cdnmf_fast); returns
    /// the projected-gradient violation. Rows are <paramref name="stride"/> long, of which the first <paramref name="k"/> are used.
    /// </summary>
    internal static double CoordinateDescent((int[] Offsets, int[] Columns, double[] Values) x, int rows, double[] w, double[] ht, int k, int stride)
    {
        var gram = Gram(ht, stride);
        var parts = Math.Max(1, Math.Min(4 * Environment.ProcessorCount, rows / 64));
        var violations = new double[parts];
        Parallel.For(0, parts, part =>
        {
            // The row's gradient G w − X Hᵀ (G = H Hᵀ), kept current as each coordinate moves: one vector update per
            // move instead of a fresh dot product per coordinate, which would chain every update on a reduction.
            Span<Vector<double>> gradient = stackalloc Vector<double>[stride / Vector<double>.Count];
            var gramVectors = MemoryMarshal.Cast<double, Vector<double>>(gram.AsSpan());
            var offsets = x.Offsets;
            var columns = x.Columns;
            var values = x.Values;
            var violation = 0.0;
            var end = (int)((long)rows * (part + 1) / parts);
            for (var r = (int)((long)rows * part / parts); r < end; r++)
            {
                gradient.Clear();
                for (var j = offsets[r]; j < offsets[r + 1]; j++)
                {
                    AddScaled(gradient, -values[j], MemoryMarshal.Cast<double, Vector<double>>(ht.AsSpan(columns[j] * stride, stride)));
                }

                var row = w.AsSpan(r * stride, stride);
                for (var s = 0; s < k; s++)
                {
                    if (row[s] != 0)
                    {
                        AddScaled(gradient, row[s], gramVectors.Slice(s * gradient.Length, gradient.Length));
                    }
                }

                var gradients = MemoryMarshal.Cast<Vector<double>, double>(gradient);
                for (var t = 0; t < k; t++)
                {
                    var current = row[t];
                    var projected = current == 0 ? Math.Min(0, gradients[t]) : gradients[t];
                    violation += Math.Abs(projected);
                    var hessian = gram[(t * stride) + t];
                    if (hessian != 0)
                    {
                        var updated = Math.Max(current - (gradients[t] / hessian), 0);
                        if (updated != current)
                        {
                            row[t] = updated;
                            AddScaled(gradient, updated - current, gramVectors.Slice(t * gradient.Length, gradient.Length));
                        }
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

    /// <summary>accumulator += scale × vectors.</summary>
    private static void AddScaled(Span<Vector<double>> accumulator, double scale, ReadOnlySpan<Vector<double>> vectors)
    {
        var factor = new Vector<double>(scale);
        for (var v = 0; v < accumulator.Length; v++)
        {
            accumulator[v] = Vector.FusedMultiplyAdd(factor, vectors[v], accumulator[v]);
        }
    }

    /// <summary>w ← w ∘ (X Hᵀ) / (W H Hᵀ), the Frobenius multiplicative update.</summary>
    private static void Multiplicative((int[] Offsets, int[] Columns, double[] Values) x, int rows, double[] w, double[] ht, int k, int stride)
    {
        var gram = Gram(ht, stride);
        Parallel.For(0, rows, () => new double[stride], (r, _, numerator) =>
        {
            Array.Clear(numerator);
            for (var j = x.Offsets[r]; j < x.Offsets[r + 1]; j++)
            {
                TensorPrimitives.MultiplyAdd(ht.AsSpan(x.Columns[j] * stride, stride), x.Values[j], numerator, numerator);
            }

            // (W H Hᵀ)[r, t] = Σ_s w[r, s] gram[s, t], and gram is symmetric: one dot per factor, read before the row changes.
            var row = w.AsSpan(r * stride, stride);
            Span<double> denominator = stackalloc double[k];
            for (var t = 0; t < k; t++)
            {
                var d = TensorPrimitives.Dot(row, gram.AsSpan(t * stride, stride));
                denominator[t] = d == 0 ? double.Epsilon : d;
            }

            for (var t = 0; t < k; t++)
            {
                row[t] *= numerator[t] / denominator[t];
            }

            return numerator;
        }, static _ => { });
    }

    /// <summary>‖X − W H‖_F = sqrt(‖X‖² − 2 Σ_obs x (W H) + tr((WᵀW)(H Hᵀ))).</summary>
    private static double FrobeniusError((int[] Offsets, int[] Columns, double[] Values) x, int rows, double[] w, double[] ht, int stride, double squaredNorm)
    {
        var cross = 0.0;
        for (var r = 0; r < rows; r++)
        {
            var row = w.AsSpan(r * stride, stride);
            for (var j = x.Offsets[r]; j < x.Offsets[r + 1]; j++)
            {
                cross += x.Values[j] * TensorPrimitives.Dot(row, ht.AsSpan(x.Columns[j] * stride, stride));
            }
        }

        var wtw = Gram(w, stride);
        var hht = Gram(ht, stride);
        return Math.Sqrt(Math.Max(0, squaredNorm - (2 * cross) + TensorPrimitives.Dot(wtw, hht)));
    }

    /// <summary>mᵀm for a row-major matrix with rows of <paramref name="stride"/> (a whole number of vectors); parallel, summed in a fixed order.</summary>
    private static double[] Gram(double[] m, int stride)
    {
        var rows = m.Length / stride;
        var parts = Math.Max(1, Math.Min(Environment.ProcessorCount, rows / 1024));
        var partial = new double[parts][];
        Parallel.For(0, parts, part =>
        {
            var local = new double[stride * stride];
            var targets = MemoryMarshal.Cast<double, Vector<double>>(local.AsSpan());
            var width = stride / Vector<double>.Count;
            var end = (int)((long)rows * (part + 1) / parts);
            for (var r = (int)((long)rows * part / parts); r < end; r++)
            {
                var row = m.AsSpan(r * stride, stride);
                var rowVectors = MemoryMarshal.Cast<double, Vector<double>>(row);
                for (var a = 0; a < row.Length; a++)
                {
                    var va = row[a];
                    if (va == 0)
                    {
                        continue; // also skips the padding
                    }

                    var scale = new Vector<double>(va);
                    var target = targets.Slice(a * width, width);
                    for (var v = 0; v < width; v++)
                    {
                        target[v] = Vector.FusedMultiplyAdd(scale, rowVectors[v], target[v]);
                    }
                }
            }

            partial[part] = local;
        });
        for (var part = 1; part < parts; part++)
        {
            TensorPrimitives.Add(partial[0], partial[part], partial[0]);
        }

        return partial[0];
    }
}
