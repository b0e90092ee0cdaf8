using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recsys.Recommenders;

/// <summary>
/// The screen's bfloat16 copy: the upper half of each float, rounded to nearest even, so half the bytes of the
/// factors. δ = ‖u‖·max‖q − q̃‖ (Cauchy–Schwarz) plus the rounding bound of both scores.
/// </summary>
internal sealed class BFloat16Screen : FactorScreen
{
    private readonly ushort[] _factors;

    // Largest ‖q_i − q̃_i‖₂ (rounding of the copy), rounded up.
    private readonly double _maxError;

    /// <summary>The copy of <paramref name="itemFactors"/>, its rows in the order of <paramref name="layout"/>.</summary>
    internal BFloat16Screen(ReadOnlySpan<float> itemFactors, int rank, Layout layout, double maxBias)
        : this(Copy(itemFactors, rank, layout, out var maxError, out var maxNorm), rank, layout, maxError, maxNorm, maxBias)
    {
    }

    private BFloat16Screen(ushort[] factors, int rank, Layout layout, double maxError, double maxNorm, double maxBias)
        : base(layout, rank, maxNorm, maxBias)
    {
        _factors = factors;
        _maxError = maxError;
    }

    private static ushort[] Copy(ReadOnlySpan<float> itemFactors, int rank, Layout layout, out double maxError, out double maxNorm)
    {
        var items = layout.Norms.Length;
        var copy = new ushort[items * rank];
        maxError = 0;
        maxNorm = 0;
        for (var i = 0; i < items; i++)
        {
            double error = 0, norm = 0;
            for (var f = 0; f < rank; f++)
            {
                var x = itemFactors[(layout.Item(i) * rank) + f];
                var half = ToBFloat16(x);
                copy[(i * rank) + f] = half;
                var d = (double)x - FromBFloat16(half);
                error += d * d;
                norm += (double)x * x;
            }

            maxError = Math.Max(maxError, Math.Sqrt(error));
            maxNorm = Math.Max(maxNorm, Math.Sqrt(norm));
        }

        // Rounded up by a margin far above double's own rounding of these sums; the copy's norms are within
        // 2⁻⁸ of the factors' (each element is), so the margin on the norm covers them too.
        maxError *= 1 + 1e-9;
        maxNorm *= 1 + (1.0 / 128);
        return copy;
    }

    /// <summary>
    /// scores[i] = q̃ · vector + b + offset for row from + i. The copy is read as 32-bit lanes holding two bfloat16 values:
    /// the lane shifted left by 16 is the even factor as a float, the lane with its low half cleared the odd one, so
    /// widening costs one shift and one and per two factors; the user vector is split into its even and odd factors
    /// once per request to match.
    /// </summary>
    private protected override double ScoreRows(ReadOnlySpan<float> vector, float offset, int from, Span<float> scores)
    {
        var rank = Rank;
        var itemBias = Bias.Length == 0 ? [] : Bias.AsSpan(from, scores.Length);
        var copy = _factors.AsSpan(from * rank, scores.Length * rank);
        var userNorm = Norm(vector[..rank]);
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

        var i = wide ? Scores512(copy, split, itemBias, offset, scores) : Scores256(copy, split, itemBias, offset, scores);
        for (; i < scores.Length; i++)
        {
            var sum = 0f;
            for (var f = 0; f < rank; f++)
            {
                sum += FromBFloat16(copy[(i * rank) + f]) * vector[f];
            }

            scores[i] = sum + (itemBias.IsEmpty ? 0f : itemBias[i]) + offset;
        }

        return (userNorm * _maxError) + Rounding(userNorm, offset);
    }

    private int Scores512(ReadOnlySpan<ushort> copy, ReadOnlySpan<float> split, ReadOnlySpan<float> itemBias, float offset, Span<float> scores)
    {
        var rank = Rank;
        ref var pairs = ref Unsafe.As<ushort, uint>(ref MemoryMarshal.GetReference(copy));
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

    private int Scores256(ReadOnlySpan<ushort> copy, ReadOnlySpan<float> split, ReadOnlySpan<float> itemBias, float offset, Span<float> scores)
    {
        var rank = Rank;
        ref var pairs = ref Unsafe.As<ushort, uint>(ref MemoryMarshal.GetReference(copy));
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
