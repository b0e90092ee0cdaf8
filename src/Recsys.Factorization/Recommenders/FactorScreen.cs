using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recsys.Recommenders;

/// <summary>
/// Exact top-N with half the memory traffic. Scoring every item streams the item factors from memory once per
/// request, and at serving sizes that is the bound (rank 64, 9,724 items: 2.5 MB a request, about 70 GB/s on the
/// 2-core test machine, so more arithmetic would not help). The screen keeps a bfloat16 copy of the factors (the
/// upper half of each float, rounded to nearest even) and a bound on what the rounding can change a score by, so a
/// request (1) scores every item from the half-size copy, (2) selects the top N of those approximate scores with the
/// same filter, (3) rescores exactly every item whose approximate score is within twice the bound of the N-th best,
/// and (4) selects the top N of the exact scores. An item left out in (3) cannot be in the exact top N (see
/// <see cref="Threshold"/>), and the exact scores come from the same kernel on the same block of four items, so the
/// result is bit-for-bit what scoring every item exactly returns (<c>FactorScreenTests</c>).
/// </summary>
internal sealed class FactorScreen
{
    /// <summary>Below this many items the factors stay in the core's caches and the screen saves nothing.</summary>
    public const int MinItems = 2048;

    private readonly ushort[] _factors;
    private readonly int _rank;

    // Largest ‖q_i − q̃_i‖₂ (rounding of the copy), largest ‖q_i‖₂ and largest |b_i|, each rounded up.
    private readonly double _maxError;
    private readonly double _maxNorm;
    private readonly double _maxBias;

    private FactorScreen(ushort[] factors, int rank, double maxError, double maxNorm, double maxBias)
    {
        _factors = factors;
        _rank = rank;
        _maxError = maxError;
        _maxNorm = maxNorm;
        _maxBias = maxBias;
    }

    /// <summary>Whether the hardware and the rank allow the screen's kernel (16 factors per vector step).</summary>
    public static bool Supported(int rank, int items) =>
        Vector256.IsHardwareAccelerated && rank > 0 && rank % 16 == 0 && items >= MinItems;

    /// <summary>The screen of the given factors, or null when they are not all finite (no bound would hold) or the screen does not apply.</summary>
    public static FactorScreen? Create(ReadOnlySpan<float> itemFactors, int rank, int items, ReadOnlySpan<float> itemBias)
    {
        if (!Supported(rank, items))
        {
            return null;
        }

        var copy = new ushort[items * rank];
        double maxError = 0, maxNorm = 0;
        for (var i = 0; i < items; i++)
        {
            double error = 0, norm = 0;
            for (var f = 0; f < rank; f++)
            {
                var x = itemFactors[(i * rank) + f];
                if (!float.IsFinite(x) || Math.Abs(x) > 1e30f)
                {
                    return null;
                }

                var half = ToBFloat16(x);
                copy[(i * rank) + f] = half;
                var d = (double)x - FromBFloat16(half);
                error += d * d;
                norm += (double)x * x;
            }

            maxError = Math.Max(maxError, Math.Sqrt(error));
            maxNorm = Math.Max(maxNorm, Math.Sqrt(norm));
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

        // Rounded up by a margin far above double's own rounding of these sums.
        return new FactorScreen(copy, rank, maxError * (1 + 1e-9), maxNorm * (1 + 1e-9), maxBias);
    }

    /// <summary>
    /// The lowest approximate score an item can have and still be in the exact top N, given the N-th best approximate
    /// score <paramref name="nthApproximate"/> of the admitted items. With δ ≥ |approximate − exact| for every item,
    /// the N items that had the best approximate scores have exact scores ≥ nth − δ, so the exact N-th best is at least
    /// nth − δ, and an item that reaches it has an approximate score ≥ nth − 2δ. δ is ‖u‖·max‖q − q̃‖ (Cauchy–Schwarz)
    /// plus twice a float-rounding bound of one score, (rank + 4)·2⁻²³·(‖u‖·max‖q‖ + max|b| + |offset|) (twice the
    /// textbook γₙ bound of a sum of rank products and two additions, for both the exact and the approximate score).
    /// </summary>
    public float Threshold(float nthApproximate, double userNorm, float offset)
    {
        var rounding = (_rank + 4) * Math.Pow(2, -23) * ((userNorm * _maxNorm) + _maxBias + Math.Abs(offset));
        var delta = (userNorm * _maxError) + (2 * rounding);
        return (float)(nthApproximate - (2 * delta * (1 + 1e-6)));
    }

    /// <summary>
    /// scores[i] = q̃_i · vector + itemBias[i] + offset. The copy is read as 32-bit lanes holding two bfloat16 values:
    /// the lane shifted left by 16 is the even factor as a float, the lane with its low half cleared the odd one, so
    /// widening costs one shift and one and per two factors; the user vector is split into its even and odd factors
    /// once per request to match.
    /// </summary>
    public void Scores(ReadOnlySpan<float> vector, ReadOnlySpan<float> itemBias, float offset, Span<float> scores)
    {
        var rank = _rank;
        if (vector.Length < rank || _factors.Length < scores.Length * rank || (!itemBias.IsEmpty && itemBias.Length < scores.Length))
        {
            throw new ArgumentException("The spans are shorter than the item count and rank require.");
        }

        var wide = Vector512.IsHardwareAccelerated && rank % 32 == 0;
        var lanes = wide ? Vector512<float>.Count : Vector256<float>.Count;
        Span<float> split = rank <= 1024 ? stackalloc float[rank] : new float[rank];
        for (var f = 0; f < rank; f += 2 * lanes)
        {
            for (var j = 0; j < lanes; j++)
            {
                split[f + j] = vector[f + (2 * j)];
                split[f + lanes + j] = vector[f + (2 * j) + 1];
            }
        }

        var i = wide ? Scores512(split, itemBias, offset, scores) : Scores256(split, itemBias, offset, scores);
        for (; i < scores.Length; i++)
        {
            var sum = 0f;
            for (var f = 0; f < rank; f++)
            {
                sum += FromBFloat16(_factors[(i * rank) + f]) * vector[f];
            }

            scores[i] = sum + (itemBias.IsEmpty ? 0f : itemBias[i]) + offset;
        }
    }

    private int Scores512(ReadOnlySpan<float> split, ReadOnlySpan<float> itemBias, float offset, Span<float> scores)
    {
        var rank = _rank;
        ref var pairs = ref Unsafe.As<ushort, uint>(ref MemoryMarshal.GetArrayDataReference(_factors));
        ref var user = ref MemoryMarshal.GetReference(split);
        var step = 2 * Vector512<float>.Count;
        var i = 0;
        for (; i + 4 <= scores.Length; i += 4)
        {
            var a0 = Vector512<float>.Zero;
            var a1 = Vector512<float>.Zero;
            var a2 = Vector512<float>.Zero;
            var a3 = Vector512<float>.Zero;
            var row = (nuint)i * (nuint)rank / 2;
            var stride = (nuint)rank / 2;
            for (var f = 0; f < rank; f += step)
            {
                var even = Vector512.LoadUnsafe(ref user, (nuint)f);
                var odd = Vector512.LoadUnsafe(ref user, (nuint)(f + Vector512<float>.Count));
                var at = row + ((nuint)f / 2);
                a0 = Accumulate(Vector512.LoadUnsafe(ref pairs, at), even, odd, a0);
                a1 = Accumulate(Vector512.LoadUnsafe(ref pairs, at + stride), even, odd, a1);
                a2 = Accumulate(Vector512.LoadUnsafe(ref pairs, at + (2 * stride)), even, odd, a2);
                a3 = Accumulate(Vector512.LoadUnsafe(ref pairs, at + (3 * stride)), even, odd, a3);
            }

            ScoreKernel.Store4(ScoreKernel.Sum4(a0, a1, a2, a3), itemBias, offset, scores, i);
        }

        return i;
    }

    private int Scores256(ReadOnlySpan<float> split, ReadOnlySpan<float> itemBias, float offset, Span<float> scores)
    {
        var rank = _rank;
        ref var pairs = ref Unsafe.As<ushort, uint>(ref MemoryMarshal.GetArrayDataReference(_factors));
        ref var user = ref MemoryMarshal.GetReference(split);
        var step = 2 * Vector256<float>.Count;
        var i = 0;
        for (; i + 4 <= scores.Length; i += 4)
        {
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            var a2 = Vector256<float>.Zero;
            var a3 = Vector256<float>.Zero;
            var row = (nuint)i * (nuint)rank / 2;
            var stride = (nuint)rank / 2;
            for (var f = 0; f < rank; f += step)
            {
                var even = Vector256.LoadUnsafe(ref user, (nuint)f);
                var odd = Vector256.LoadUnsafe(ref user, (nuint)(f + Vector256<float>.Count));
                var at = row + ((nuint)f / 2);
                a0 = Accumulate(Vector256.LoadUnsafe(ref pairs, at), even, odd, a0);
                a1 = Accumulate(Vector256.LoadUnsafe(ref pairs, at + stride), even, odd, a1);
                a2 = Accumulate(Vector256.LoadUnsafe(ref pairs, at + (2 * stride)), even, odd, a2);
                a3 = Accumulate(Vector256.LoadUnsafe(ref pairs, at + (3 * stride)), even, odd, a3);
            }

            ScoreKernel.Store4(ScoreKernel.Sum4(a0, a1, a2, a3), itemBias, offset, scores, i);
        }

        return i;
    }

    /// <summary>The rows whose approximate score is at least <paramref name="threshold"/> (never NaN), in ascending order.</summary>
    public static void Candidates(ReadOnlySpan<float> scores, float threshold, List<int> candidates)
    {
        ref var first = ref MemoryMarshal.GetReference(scores);
        var bar = Vector256.Create(threshold);
        var i = 0;
        for (; i + Vector256<float>.Count <= scores.Length; i += Vector256<float>.Count)
        {
            var mask = Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref first, (nuint)i), bar).ExtractMostSignificantBits();
            while (mask != 0)
            {
                candidates.Add(i + BitOperations.TrailingZeroCount(mask));
                mask &= mask - 1;
            }
        }

        for (; i < scores.Length; i++)
        {
            if (scores[i] >= threshold)
            {
                candidates.Add(i);
            }
        }
    }

    /// <summary>bfloat16 of a finite float: its upper 16 bits, rounded to nearest, ties to even.</summary>
    internal static ushort ToBFloat16(float x)
    {
        var bits = BitConverter.SingleToUInt32Bits(x);
        bits += 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)(bits >> 16);
    }

    internal static float FromBFloat16(ushort x) => BitConverter.UInt32BitsToSingle((uint)x << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Accumulate(Vector512<uint> pairs, Vector512<float> even, Vector512<float> odd, Vector512<float> accumulator)
    {
        accumulator = ScoreKernel.MultiplyAdd(Vector512.ShiftLeft(pairs, 16).AsSingle(), even, accumulator);
        return ScoreKernel.MultiplyAdd((pairs & Vector512.Create(0xFFFF0000u)).AsSingle(), odd, accumulator);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Accumulate(Vector256<uint> pairs, Vector256<float> even, Vector256<float> odd, Vector256<float> accumulator)
    {
        accumulator = ScoreKernel.MultiplyAdd(Vector256.ShiftLeft(pairs, 16).AsSingle(), even, accumulator);
        return ScoreKernel.MultiplyAdd((pairs & Vector256.Create(0xFFFF0000u)).AsSingle(), odd, accumulator);
    }
}
