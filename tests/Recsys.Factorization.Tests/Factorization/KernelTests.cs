using FsCheck.Xunit;

namespace Recsys.Factorization.Tests.Factorization;

public sealed class KernelTests
{
    private static float[] Vector(int seed, int length, int padded)
    {
        var random = new Random(seed);
        var v = new float[padded];
        for (var i = 0; i < length; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return v;
    }

    /// <summary>
    /// The vectorized NMF coordinate-descent sweep (padded rows, gradient kept current incrementally) against a literal
    /// transcription of scikit-learn's <c>_update_cdnmf_fast</c> on a dense matrix: same factors, same violation.
    /// </summary>
    [Property(MaxTest = 100)]
    public bool NmfCoordinateDescent_EqualsScikitLearnsScalarUpdateWithin1e9(int seed, byte rankByte)
    {
        var random = new Random(seed);
        var (rows, columns, k) = (1 + random.Next(40), 1 + random.Next(30), 1 + (rankByte % 13));
        var stride = NmfTrainer.Stride(k);
        var x = new double[rows, columns];
        var offsets = new int[rows + 1];
        var indices = new List<int>();
        var values = new List<double>();
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                if (random.NextDouble() < 0.3)
                {
                    x[r, c] = 0.5 + (random.Next(9) * 0.5);
                    indices.Add(c);
                    values.Add(x[r, c]);
                }
            }

            offsets[r + 1] = indices.Count;
        }

        double Factor() => random.NextDouble() < 0.2 ? 0 : random.NextDouble();
        var w = new double[rows, k];
        var h = new double[columns, k];
        var paddedW = new double[rows * stride];
        var paddedH = new double[columns * stride];
        for (var t = 0; t < k; t++)
        {
            for (var r = 0; r < rows; r++)
            {
                paddedW[(r * stride) + t] = w[r, t] = Factor();
            }

            for (var c = 0; c < columns; c++)
            {
                paddedH[(c * stride) + t] = h[c, t] = Factor();
            }
        }

        // scikit-learn: HHt = H Hᵀ, XHt = X Hᵀ, then for each component t, for each sample i, the projected update.
        var hht = new double[k, k];
        var xht = new double[rows, k];
        for (var a = 0; a < k; a++)
        {
            for (var b = 0; b < k; b++)
            {
                for (var c = 0; c < columns; c++)
                {
                    hht[a, b] += h[c, a] * h[c, b];
                }
            }

            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    xht[r, a] += x[r, c] * h[c, a];
                }
            }
        }

        var expectedViolation = 0.0;
        for (var t = 0; t < k; t++)
        {
            for (var i = 0; i < rows; i++)
            {
                var grad = -xht[i, t];
                for (var r = 0; r < k; r++)
                {
                    grad += hht[t, r] * w[i, r];
                }

                expectedViolation += Math.Abs(w[i, t] == 0 ? Math.Min(0, grad) : grad);
                if (hht[t, t] != 0)
                {
                    w[i, t] = Math.Max(w[i, t] - (grad / hht[t, t]), 0);
                }
            }
        }

        var violation = NmfTrainer.CoordinateDescent((offsets, indices.ToArray(), values.ToArray()), rows, paddedW, paddedH, k, stride);

        static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b));
        return Close(violation, expectedViolation)
            && Enumerable.Range(0, rows).All(r => Enumerable.Range(0, stride).All(t => t < k ? Close(paddedW[(r * stride) + t], w[r, t]) : paddedW[(r * stride) + t] == 0));
    }

    [Property(MaxTest = 200)]
    public bool SgdUpdate_Simd_EqualsScalarWithin1e5(int seed, byte rankByte)
    {
        var rank = 1 + (rankByte % 130);
        var stride = SgdKernel.Stride(rank);
        var p1 = Vector(seed, rank, stride);
        var q1 = Vector(seed + 1, rank, stride);
        var p2 = (float[])p1.Clone();
        var q2 = (float[])q1.Clone();

        var e1 = SgdKernel.Update(p1, q1, 3.2f, 4.5f, 0.02f, 0.08f);
        var e2 = SgdKernel.UpdateScalar(p2, q2, 3.2f, 4.5f, 0.02f, 0.08f);

        static bool Close(float a, float b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(b));
        return Close(e1, e2)
            && p1.Zip(p2).All(x => Close(x.First, x.Second))
            && q1.Zip(q2).All(x => Close(x.First, x.Second))
            && p1.Skip(rank).All(x => x == 0) && q1.Skip(rank).All(x => x == 0);
    }

    [Property(MaxTest = 100)]
    public bool ScoreKernel_TensorPrimitives_EqualsScalarWithin1e5(int seed, byte rankByte, byte itemsByte)
    {
        var rank = 1 + (rankByte % 130);
        var items = 1 + itemsByte;
        var factors = Vector(seed, items * rank, items * rank);
        var user = Vector(seed + 7, rank, rank);
        var bias = Vector(seed + 9, items, items);
        var fast = new float[items];
        var reference = new float[items];
        var fastNoBias = new float[items];
        var referenceNoBias = new float[items];

        Recsys.Recommenders.ScoreKernel.Scores(factors, rank, user, bias, 3.5f, fast);
        Recsys.Recommenders.ScoreKernel.ScoresScalar(factors, rank, user, bias, 3.5f, reference);
        Recsys.Recommenders.ScoreKernel.Scores(factors, rank, user, fastNoBias);
        Recsys.Recommenders.ScoreKernel.ScoresScalar(factors, rank, user, [], 0f, referenceNoBias);

        static bool Close((float First, float Second) x) => Math.Abs(x.First - x.Second) <= 1e-5f * Math.Max(1f, Math.Abs(x.Second));
        return fast.Zip(reference).All(Close) && fastNoBias.Zip(referenceNoBias).All(Close);
    }
}
