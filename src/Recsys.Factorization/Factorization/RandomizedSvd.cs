using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using Recsys.Numerics;

namespace Recsys.Factorization;

/// <summary>A sparse rows × columns matrix in compressed sparse row form, with its transpose.</summary>
internal sealed class SparseMatrix(int rows, int columns, int[] rowOffsets, int[] rowColumns, double[] rowValues, int[] columnOffsets, int[] columnRows, double[] columnValues)
{
    public int Rows => rows;

    public int Columns => columns;

    /// <summary>Returns this × dense (columns × l), as a rows × l matrix.</summary>
    public Matrix<double> Multiply(Matrix<double> dense) => Product(rows, rowOffsets, rowColumns, rowValues, dense);

    /// <summary>Returns thisᵀ × dense (rows × l), as a columns × l matrix.</summary>
    public Matrix<double> TransposeMultiply(Matrix<double> dense) => Product(columns, columnOffsets, columnRows, columnValues, dense);

    private static Matrix<double> Product(int outRows, int[] offsets, int[] indices, double[] values, Matrix<double> dense)
    {
        var l = dense.ColumnCount;
        var inRows = dense.RowCount;
        var source = ((DenseMatrix)dense).Values;
        var result = new double[outRows * l];
        Parallel.For(0, outRows, r =>
        {
            for (var j = offsets[r]; j < offsets[r + 1]; j++)
            {
                var c = indices[j];
                var v = values[j];
                for (var t = 0; t < l; t++)
                {
                    result[(t * outRows) + r] += v * source[(t * inRows) + c];
                }
            }
        });
        return new DenseMatrix(outRows, l, result);
    }
}

/// <summary>
/// Randomized truncated SVD (Halko, Martinsson, Tropp 2011, as scikit-learn's <c>randomized_svd</c>): a Gaussian
/// sketch, power iterations re-orthonormalized by QR, then an exact SVD of the small projected matrix.
/// </summary>
internal static class RandomizedSvd
{
    public static (Matrix<double> U, double[] S, Matrix<double> V) Compute(SparseMatrix a, int rank, int oversampling, int powerIterations, ulong seed, CancellationToken cancellationToken)
    {
        var l = Math.Min(rank + oversampling, Math.Min(a.Rows, a.Columns));
        var random = RandomSource.ForStream(seed, 9);
        var omega = DenseMatrix.Create(a.Columns, l, (_, _) => random.NextGaussian());
        var q = Orthonormal(a.Multiply(omega));
        for (var i = 0; i < powerIterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            q = Orthonormal(a.Multiply(Orthonormal(a.TransposeMultiply(q))));
        }

        // Bᵀ = Aᵀ Q = Qb Rb and Rb = Ur S Vrᵀ, so B = Qᵀ A = Vr S (Qb Ur)ᵀ.
        var bt = a.TransposeMultiply(q);
        var qr = bt.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin);
        var svd = qr.R.Svd(computeVectors: true);
        var k = Math.Min(rank, l);
        var u = q * svd.VT.Transpose().SubMatrix(0, l, 0, k);
        var v = qr.Q * svd.U.SubMatrix(0, l, 0, k);
        var s = svd.S.SubVector(0, k).ToArray();
        return (u, s, v);
    }

    private static Matrix<double> Orthonormal(Matrix<double> m) => m.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin).Q;
}
