using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using Recsys.Numerics;

namespace Recsys.Factorization;

/// <summary>A sparse rows × columns matrix in compressed sparse row form, with its transpose.</summary>
internal sealed class SparseMatrix(int rows, int columns, int[] rowOffsets, int[] rowColumns, double[] rowValues, int[] columnOffsets, int[] columnRows, double[] columnValues)
{
    public int Rows => rows;

    public int Columns => columns;

    /// <summary>Returns this × dense, for a row-major columns × l matrix, as a row-major rows × l matrix.</summary>
    public double[] Multiply(double[] dense, int l) => Product(rows, rowOffsets, rowColumns, rowValues, dense, l);

    /// <summary>Returns thisᵀ × dense, for a row-major rows × l matrix, as a row-major columns × l matrix.</summary>
    public double[] TransposeMultiply(double[] dense, int l) => Product(columns, columnOffsets, columnRows, columnValues, dense, l);

    private static double[] Product(int outRows, int[] offsets, int[] indices, double[] values, double[] dense, int l)
    {
        var result = new double[outRows * l];
        Parallel.For(0, outRows, r =>
        {
            var target = result.AsSpan(r * l, l);
            for (var j = offsets[r]; j < offsets[r + 1]; j++)
            {
                TensorPrimitives.MultiplyAdd(dense.AsSpan(indices[j] * l, l), values[j], target, target);
            }
        });
        return result;
    }
}

/// <summary>
/// Randomized truncated SVD (Halko, Martinsson, Tropp 2011, as scikit-learn's <c>randomized_svd</c>): a Gaussian
/// sketch, power iterations re-orthonormalized at every step, then an exact SVD of the small projected matrix.
/// Tall-skinny orthonormalization is Cholesky-QR applied twice (CholeskyQR2), which is as accurate as Householder
/// QR for the well-conditioned sketches used here and costs two Gram matrices; MathNet's Householder QR is the
/// fallback when a sketch is rank-deficient.
/// </summary>
internal static class RandomizedSvd
{
    public static (Matrix<double> U, double[] S, Matrix<double> V) Compute(SparseMatrix a, int rank, int oversampling, int powerIterations, ulong seed, CancellationToken cancellationToken)
    {
        var l = Math.Min(rank + oversampling, Math.Min(a.Rows, a.Columns));
        var random = RandomSource.ForStream(seed, 9);
        var omega = new double[a.Columns * l];
        for (var j = 0; j < omega.Length; j++)
        {
            omega[j] = random.NextGaussian();
        }

        // Power iterations only need a well-scaled basis (scikit-learn normalizes them with LU): one Cholesky-QR
        // pass per iteration, on the shorter side, which keeps the growth per step at (σ₁/σₗ)²; the basis the
        // SVD is computed in gets the full CholeskyQR2.
        var rowsShorter = a.Rows <= a.Columns;
        var q = Normalized(a.Multiply(omega, l), a.Rows, l);
        for (var i = 0; i < powerIterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var z = a.TransposeMultiply(q, l);
            if (!rowsShorter)
            {
                z = Normalized(z, a.Columns, l);
            }

            q = a.Multiply(z, l);
            if (rowsShorter)
            {
                q = Normalized(q, a.Rows, l);
            }
        }

        q = Orthonormal(q, a.Rows, l).Q;

        // Bᵀ = Aᵀ Q = Qb Rb and Rb = Ur S Vrᵀ, so B = Qᵀ A = Vr S (Qb Ur)ᵀ: U = Q Vr, V = Qb Ur.
        var (qb, rb) = Orthonormal(a.TransposeMultiply(q, l), a.Columns, l);
        var svd = DenseMatrix.Create(l, l, (r, c) => rb[(r * l) + c]).Svd(computeVectors: true);
        var k = Math.Min(rank, l);
        var vr = svd.VT.Transpose();
        var u = Multiply(q, a.Rows, l, vr, k);
        var v = Multiply(qb, a.Columns, l, svd.U, k);
        return (u, svd.S.SubVector(0, k).ToArray(), v);
    }

    private static double[] Normalized(double[] y, int rows, int l) => CholeskyQr(y, rows, l)?.Q ?? Orthonormal(y, rows, l).Q;

    /// <summary>Q (rows × l, orthonormal columns) and R (l × l, upper) with Y = Q R, all row-major.</summary>
    internal static (double[] Q, double[] R) Orthonormal(double[] y, int rows, int l)
    {
        if (CholeskyQr(y, rows, l) is { } first && CholeskyQr(first.Q, rows, l) is { } second)
        {
            return (second.Q, MultiplySquare(second.R, first.R, l));
        }

        var qr = DenseMatrix.Create(rows, l, (r, c) => y[(r * l) + c]).QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin);
        var q = new double[rows * l];
        var rMatrix = new double[l * l];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < l; c++)
            {
                q[(r * l) + c] = qr.Q[r, c];
            }
        }

        for (var r = 0; r < l; r++)
        {
            for (var c = 0; c < l; c++)
            {
                rMatrix[(r * l) + c] = qr.R[r, c];
            }
        }

        return (q, rMatrix);
    }

    /// <summary>G = YᵀY = RᵀR by Cholesky, Q = Y R⁻¹; null when G is not numerically positive definite.</summary>
    private static (double[] Q, double[] R)? CholeskyQr(double[] y, int rows, int l)
    {
        var gram = DenseMath.Gram(y, rows, l);

        // Upper-triangular R with G = Rᵀ R.
        var rFactor = new double[l * l];
        for (var j = 0; j < l; j++)
        {
            var diagonal = gram[(j * l) + j];
            for (var k = 0; k < j; k++)
            {
                diagonal -= rFactor[(k * l) + j] * rFactor[(k * l) + j];
            }

            if (!(diagonal > 1e-12 * gram[(j * l) + j]) || !(diagonal > 0))
            {
                return null;
            }

            var root = Math.Sqrt(diagonal);
            rFactor[(j * l) + j] = root;
            for (var c = j + 1; c < l; c++)
            {
                var sum = gram[(j * l) + c];
                for (var k = 0; k < j; k++)
                {
                    sum -= rFactor[(k * l) + j] * rFactor[(k * l) + c];
                }

                rFactor[(j * l) + c] = sum / root;
            }
        }

        // R⁻¹ (upper triangular), then Q = Y R⁻¹ row by row.
        var inverse = new double[l * l];
        for (var c = 0; c < l; c++)
        {
            inverse[(c * l) + c] = 1 / rFactor[(c * l) + c];
            for (var r = c - 1; r >= 0; r--)
            {
                var sum = 0.0;
                for (var k = r + 1; k <= c; k++)
                {
                    sum += rFactor[(r * l) + k] * inverse[(k * l) + c];
                }

                inverse[(r * l) + c] = -sum / rFactor[(r * l) + r];
            }
        }

        var q = new double[rows * l];
        Parallel.For(0, rows, r =>
        {
            var source = y.AsSpan(r * l, l);
            var target = q.AsSpan(r * l, l);
            for (var k = 0; k < l; k++)
            {
                TensorPrimitives.MultiplyAdd(inverse.AsSpan(k * l, l), source[k], target, target);
            }
        });
        return (q, rFactor);
    }

    private static double[] MultiplySquare(double[] a, double[] b, int l)
    {
        var result = new double[l * l];
        for (var r = 0; r < l; r++)
        {
            for (var k = 0; k < l; k++)
            {
                TensorPrimitives.MultiplyAdd(b.AsSpan(k * l, l), a[(r * l) + k], result.AsSpan(r * l, l), result.AsSpan(r * l, l));
            }
        }

        return result;
    }

    /// <summary>(rows × l row-major) × (the first k columns of an l × l matrix), as a MathNet matrix.</summary>
    private static Matrix<double> Multiply(double[] left, int rows, int l, Matrix<double> right, int k)
    {
        var small = new double[l * k];
        for (var r = 0; r < l; r++)
        {
            for (var c = 0; c < k; c++)
            {
                small[(r * k) + c] = right[r, c];
            }
        }

        var result = new double[rows * k];
        Parallel.For(0, rows, r =>
        {
            var target = result.AsSpan(r * k, k);
            for (var j = 0; j < l; j++)
            {
                TensorPrimitives.MultiplyAdd(small.AsSpan(j * k, k), left[(r * l) + j], target, target);
            }
        });
        return DenseMatrix.Create(rows, k, (r, c) => result[(r * k) + c]);
    }
}
