using System.Numerics.Tensors;

namespace Recsys.Numerics;

/// <summary>Small dense kernels for the factorization solvers: row-major n×n matrices in flat arrays.</summary>
internal static class DenseMath
{
    /// <summary>
    /// Solves A x = b for a symmetric positive-definite A by Cholesky factorization, in place: A is overwritten by
    /// its factor and b by x. Returns false when A is not positive definite.
    /// </summary>
    public static bool SolveSpd(Span<double> a, Span<double> b, int n)
    {
        for (var j = 0; j < n; j++)
        {
            var diagonal = a[(j * n) + j];
            for (var k = 0; k < j; k++)
            {
                diagonal -= a[(j * n) + k] * a[(j * n) + k];
            }

            if (!(diagonal > 0))
            {
                return false;
            }

            var root = Math.Sqrt(diagonal);
            a[(j * n) + j] = root;
            for (var i = j + 1; i < n; i++)
            {
                var sum = a[(i * n) + j];
                for (var k = 0; k < j; k++)
                {
                    sum -= a[(i * n) + k] * a[(j * n) + k];
                }

                a[(i * n) + j] = sum / root;
            }
        }

        // Forward: L y = b.
        for (var i = 0; i < n; i++)
        {
            var sum = b[i];
            for (var k = 0; k < i; k++)
            {
                sum -= a[(i * n) + k] * b[k];
            }

            b[i] = sum / a[(i * n) + i];
        }

        // Backward: Lᵀ x = y.
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = b[i];
            for (var k = i + 1; k < n; k++)
            {
                sum -= a[(k * n) + i] * b[k];
            }

            b[i] = sum / a[(i * n) + i];
        }

        return true;
    }

    /// <summary>Returns Σ_rows rowᵀ row of a row-major rows×k matrix (the Gram matrix); parallel, summed in a fixed order.</summary>
    public static T[] Gram<T>(T[] factors, int rows, int k)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        var parts = Math.Max(1, Math.Min(Environment.ProcessorCount, rows / 256));
        var partial = new T[parts][];
        Parallel.For(0, parts, part =>
        {
            var local = new T[k * k];
            var start = (int)((long)rows * part / parts);
            var end = (int)((long)rows * (part + 1) / parts);
            for (var r = start; r < end; r++)
            {
                var row = factors.AsSpan(r * k, k);
                for (var a = 0; a < k; a++)
                {
                    TensorPrimitives.MultiplyAdd<T>(row, row[a], local.AsSpan(a * k, k), local.AsSpan(a * k, k));
                }
            }

            partial[part] = local;
        });
        var total = partial[0];
        for (var part = 1; part < parts; part++)
        {
            TensorPrimitives.Add<T>(total, partial[part], total);
        }

        return total;
    }

    /// <summary>destination = M v for a row-major k×k matrix.</summary>
    public static void MultiplySquare(ReadOnlySpan<float> m, ReadOnlySpan<float> v, Span<float> destination, int k)
    {
        for (var a = 0; a < k; a++)
        {
            destination[a] = TensorPrimitives.Dot(m.Slice(a * k, k), v);
        }
    }
}
