using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recsys.Recommenders;

/// <summary>
/// Exact top-N from a compact copy of the item factors. Scoring every item streams the item factors from memory once
/// per request, and at serving sizes that is the bound (rank 64, 9,724 items: 2.5 MB a request). A screen keeps a
/// smaller copy of the factors (<see cref="Int8Screen"/>: a quarter of the bytes, with VNNI dot products where the CPU
/// has them; <see cref="BFloat16Screen"/>: half) and bounds what the copy can change a score by, so a request
/// (1) scores every item from the copy, (2) selects the top N of those approximate scores with the same filter,
/// (3) rescores exactly every item whose approximate score is within twice the bound of the N-th best, and (4) selects
/// the top N of the exact scores. An item left out in (3) cannot be in the exact top N (see <see cref="Threshold"/>),
/// and the exact scores come from the same kernel on the same block of four items, so the result is bit-for-bit what
/// scoring every item exactly returns (<c>FactorScreenTests</c>).
/// </summary>
internal abstract class FactorScreen
{
    /// <summary>Below this many items the factors stay in the core's caches and the screen saves nothing.</summary>
    public const int MinItems = 2048;

    private protected FactorScreen(int rank, double maxNorm, double maxBias)
    {
        Rank = rank;
        MaxNorm = maxNorm;
        MaxBias = maxBias;
    }

    /// <summary>The factors' rank.</summary>
    public int Rank { get; }

    /// <summary>The largest ‖q_i‖₂ of the exact and of the copied item factors, rounded up.</summary>
    private protected double MaxNorm { get; }

    /// <summary>The largest |b_i|.</summary>
    private protected double MaxBias { get; }

    /// <summary>Whether the hardware and the rank allow a screen (16 factors per vector step).</summary>
    public static bool Supported(int rank, int items) =>
        Vector256.IsHardwareAccelerated && rank > 0 && rank % 16 == 0 && items >= MinItems;

    /// <summary>
    /// The screen of the given factors: the int8 one where the CPU has AVX-VNNI and the rank allows it, else the bfloat16
    /// one (or the one <paramref name="precision"/> asks for, when it applies); null when the factors are not all finite
    /// (no bound would hold) or no screen applies.
    /// </summary>
    public static FactorScreen? Create(ReadOnlySpan<float> itemFactors, int rank, int items, ReadOnlySpan<float> itemBias, ScreenPrecision? precision = null)
    {
        if (!Supported(rank, items) || itemFactors.Length < items * rank)
        {
            return null;
        }

        double maxBias = 0;
        foreach (var b in itemBias)
        {
            if (!float.IsFinite(b))
            {
                return null;
            }

            maxBias = Math.Max(maxBias, Math.Abs(b));
        }

        foreach (var x in itemFactors[..(items * rank)])
        {
            if (!float.IsFinite(x) || Math.Abs(x) > 1e30f)
            {
                return null;
            }
        }

        return (precision ?? (Int8Screen.Supported(rank) ? ScreenPrecision.Int8 : ScreenPrecision.BFloat16)) switch
        {
            ScreenPrecision.Int8 => Int8Screen.Supported(rank) ? new Int8Screen(itemFactors, rank, items, maxBias) : null,
            _ => new BFloat16Screen(itemFactors, rank, items, maxBias),
        };
    }

    /// <summary>
    /// Writes scores[i] ≈ q_i · vector + itemBias[i] + offset from the copy and returns δ, a bound on
    /// |approximate − exact| for every item of this request, where exact is what <see cref="ScoreKernel"/> computes
    /// in float; not finite when the vector or the offset is not.
    /// </summary>
    public abstract double Scores(ReadOnlySpan<float> vector, ReadOnlySpan<float> itemBias, float offset, Span<float> scores);

    /// <summary>
    /// The lowest approximate score an item can have and still be in the exact top N, given the N-th best approximate
    /// score <paramref name="nthApproximate"/> of the admitted items and the request's bound <paramref name="delta"/>
    /// (δ ≥ |approximate − exact| for every item). The N items that had the best approximate scores have exact scores
    /// ≥ nth − δ, so the exact N-th best is at least nth − δ, and an item that reaches it has an approximate score
    /// ≥ nth − 2δ. Stepped down by one float so that rounding nth − 2δ to float never raises it.
    /// </summary>
    public static float Threshold(float nthApproximate, double delta) => MathF.BitDecrement((float)(nthApproximate - (2 * delta * (1 + 1e-6))));

    /// <summary>
    /// Twice a float-rounding bound of one score, (rank + 4)·2⁻²³·(‖u‖·max‖q‖ + max|b| + |offset|): the textbook γₙ
    /// bound of a sum of rank products and two additions, once for the exact score and once for the approximate one.
    /// </summary>
    private protected double Rounding(double userNorm, float offset) =>
        2 * (Rank + 4) * Math.Pow(2, -23) * ((userNorm * MaxNorm) + MaxBias + Math.Abs(offset));

    /// <summary>‖v‖₂ in double, rounded up; not finite when an element is not.</summary>
    private protected static double Norm(ReadOnlySpan<float> vector)
    {
        double sum = 0;
        foreach (var x in vector)
        {
            sum += (double)x * x;
        }

        return Math.Sqrt(sum) * (1 + 1e-9);
    }

    private protected void CheckLengths(ReadOnlySpan<float> vector, ReadOnlySpan<float> itemBias, Span<float> scores, int copied)
    {
        if (vector.Length < Rank || copied < scores.Length * Rank || (!itemBias.IsEmpty && itemBias.Length < scores.Length))
        {
            throw new ArgumentException("The spans are shorter than the item count and rank require.");
        }
    }

    /// <summary>
    /// Writes the rows whose approximate score is at least <paramref name="threshold"/> (never NaN) to
    /// <paramref name="candidates"/> in ascending order and returns how many; -1 as soon as there are more than it holds.
    /// </summary>
    public static int Candidates(ReadOnlySpan<float> scores, float threshold, Span<int> candidates)
    {
        ref var first = ref MemoryMarshal.GetReference(scores);
        var bar = Vector256.Create(threshold);
        var count = 0;
        var i = 0;
        for (; i + Vector256<float>.Count <= scores.Length; i += Vector256<float>.Count)
        {
            var mask = Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref first, (nuint)i), bar).ExtractMostSignificantBits();
            if (count + BitOperations.PopCount(mask) > candidates.Length)
            {
                return -1;
            }

            while (mask != 0)
            {
                candidates[count++] = i + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
            }
        }

        for (; i < scores.Length; i++)
        {
            if (scores[i] >= threshold)
            {
                if (count == candidates.Length)
                {
                    return -1;
                }

                candidates[count++] = i;
            }
        }

        return count;
    }
}

/// <summary>Which compact copy a <see cref="FactorScreen"/> keeps.</summary>
internal enum ScreenPrecision
{
    /// <summary>bfloat16: half the bytes of the factors.</summary>
    BFloat16,

    /// <summary>int8 with one scale per row: a quarter of the bytes (needs AVX-VNNI).</summary>
    Int8,
}
