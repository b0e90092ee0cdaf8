using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recsys.Recommenders;

/// <summary>The scoring kernel of top-N: one user vector against every item factor row.</summary>
internal static class ScoreKernel
{
    /// <summary>
    /// scores[i] = itemFactors[i] · vector. For ranks that are a multiple of 16 (8) a hand-written Vector512
    /// (Vector256) kernel scores four items per step with fused multiply-adds and reduces the four sums together
    /// (TopNBenchmarks: about 2× faster than one TensorPrimitives.Dot call per item at rank 32–64, where the call
    /// overhead dominates, and the 512-bit kernel with one reduction for four items faster again where the CPU has
    /// AVX-512); other ranks use TensorPrimitives.
    /// </summary>
    public static void Scores(ReadOnlySpan<float> itemFactors, int rank, ReadOnlySpan<float> vector, Span<float> scores) =>
        Scores(itemFactors, rank, vector, [], 0f, scores);

    /// <summary>scores[i] = itemFactors[i] · vector + itemBias[i] + offset (no bias when <paramref name="itemBias"/> is empty), in one pass.</summary>
    public static void Scores(ReadOnlySpan<float> itemFactors, int rank, ReadOnlySpan<float> vector, ReadOnlySpan<float> itemBias, float offset, Span<float> scores)
    {
        if (!itemBias.IsEmpty && itemBias.Length < scores.Length)
        {
            throw new ArgumentException("The item bias span is shorter than the scores.", nameof(itemBias));
        }

        if (Vector512.IsHardwareAccelerated && rank % Vector512<float>.Count == 0)
        {
            ScoresVector512(itemFactors, rank, vector, itemBias, offset, scores);
            return;
        }

        if (Vector256.IsHardwareAccelerated && rank % Vector256<float>.Count == 0)
        {
            ScoresVector256(itemFactors, rank, vector, itemBias, offset, scores);
            return;
        }

        Rest(itemFactors, rank, vector, itemBias, offset, scores, 0);
    }

    /// <summary>The scalar reference of the scoring kernel, kept for tests.</summary>
    public static void ScoresScalar(ReadOnlySpan<float> itemFactors, int rank, ReadOnlySpan<float> vector, ReadOnlySpan<float> itemBias, float offset, Span<float> scores)
    {
        for (var i = 0; i < scores.Length; i++)
        {
            var sum = 0f;
            for (var f = 0; f < rank; f++)
            {
                sum += itemFactors[(i * rank) + f] * vector[f];
            }

            scores[i] = sum + (itemBias.IsEmpty ? 0f : itemBias[i]) + offset;
        }
    }

    private static void ScoresVector512(ReadOnlySpan<float> itemFactors, int rank, ReadOnlySpan<float> vector, ReadOnlySpan<float> itemBias, float offset, Span<float> scores)
    {
        CheckLengths(itemFactors, rank, vector, scores);
        ref var items = ref MemoryMarshal.GetReference(itemFactors);
        ref var user = ref MemoryMarshal.GetReference(vector);
        var width = Vector512<float>.Count;
        var i = 0;
        for (; i + 4 <= scores.Length; i += 4)
        {
            var a0 = Vector512<float>.Zero;
            var a1 = Vector512<float>.Zero;
            var a2 = Vector512<float>.Zero;
            var a3 = Vector512<float>.Zero;
            var row = (nuint)i * (nuint)rank;
            for (var f = 0; f < rank; f += width)
            {
                var u = Vector512.LoadUnsafe(ref user, (nuint)f);
                a0 = MultiplyAdd(Vector512.LoadUnsafe(ref items, row + (nuint)f), u, a0);
                a1 = MultiplyAdd(Vector512.LoadUnsafe(ref items, row + (nuint)(rank + f)), u, a1);
                a2 = MultiplyAdd(Vector512.LoadUnsafe(ref items, row + (nuint)((2 * rank) + f)), u, a2);
                a3 = MultiplyAdd(Vector512.LoadUnsafe(ref items, row + (nuint)((3 * rank) + f)), u, a3);
            }

            Store4(Sum4(a0, a1, a2, a3), itemBias, offset, scores, i);
        }

        Rest(itemFactors, rank, vector, itemBias, offset, scores, i);
    }

    private static void ScoresVector256(ReadOnlySpan<float> itemFactors, int rank, ReadOnlySpan<float> vector, ReadOnlySpan<float> itemBias, float offset, Span<float> scores)
    {
        CheckLengths(itemFactors, rank, vector, scores);
        ref var items = ref MemoryMarshal.GetReference(itemFactors);
        ref var user = ref MemoryMarshal.GetReference(vector);
        var width = Vector256<float>.Count;
        var i = 0;
        for (; i + 4 <= scores.Length; i += 4)
        {
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            var a2 = Vector256<float>.Zero;
            var a3 = Vector256<float>.Zero;
            var row = (nuint)i * (nuint)rank;
            for (var f = 0; f < rank; f += width)
            {
                var u = Vector256.LoadUnsafe(ref user, (nuint)f);
                a0 = MultiplyAdd(Vector256.LoadUnsafe(ref items, row + (nuint)f), u, a0);
                a1 = MultiplyAdd(Vector256.LoadUnsafe(ref items, row + (nuint)(rank + f)), u, a1);
                a2 = MultiplyAdd(Vector256.LoadUnsafe(ref items, row + (nuint)((2 * rank) + f)), u, a2);
                a3 = MultiplyAdd(Vector256.LoadUnsafe(ref items, row + (nuint)((3 * rank) + f)), u, a3);
            }

            Store4(Sum4(a0, a1, a2, a3), itemBias, offset, scores, i);
        }

        Rest(itemFactors, rank, vector, itemBias, offset, scores, i);
    }

    private static void CheckLengths(ReadOnlySpan<float> itemFactors, int rank, ReadOnlySpan<float> vector, Span<float> scores)
    {
        if (itemFactors.Length < (long)scores.Length * rank || vector.Length < rank)
        {
            throw new ArgumentException("The factor spans are shorter than the item count and rank require.");
        }
    }

    /// <summary>a · b + c, fused (one rounding) where the hardware has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Fma.IsSupported ? Vector512.FusedMultiplyAdd(a, b, c) : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Vector256.FusedMultiplyAdd(a, b, c) : (a * b) + c;

    /// <summary>The four sums of four 512-bit vectors' lanes, in order: each folded to 256 bits, then <see cref="Sum4(Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Sum4(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3) =>
        Sum4(a0.GetLower() + a0.GetUpper(), a1.GetLower() + a1.GetUpper(), a2.GetLower() + a2.GetUpper(), a3.GetLower() + a3.GetUpper());

    /// <summary>The four sums of four vectors' lanes, in order: three horizontal adds instead of four full reductions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Sum4(Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3)
    {
        if (Avx.IsSupported)
        {
            // [a0 01, a0 23, a1 01, a1 23 | a0 45, a0 67, a1 45, a1 67], then [a0 0123, a1 0123, a2 0123, a3 0123 | … 4567].
            var t = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
            return t.GetLower() + t.GetUpper();
        }

        return Vector128.Create(Vector256.Sum(a0), Vector256.Sum(a1), Vector256.Sum(a2), Vector256.Sum(a3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store4(Vector128<float> sums, ReadOnlySpan<float> itemBias, float offset, Span<float> scores, int i)
    {
        if (!itemBias.IsEmpty)
        {
            sums += Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(itemBias), (nuint)i);
        }

        sums += Vector128.Create(offset);
        sums.StoreUnsafe(ref MemoryMarshal.GetReference(scores), (nuint)i);
    }

    private static void Rest(ReadOnlySpan<float> itemFactors, int rank, ReadOnlySpan<float> vector, ReadOnlySpan<float> itemBias, float offset, Span<float> scores, int i)
    {
        for (; i < scores.Length; i++)
        {
            scores[i] = TensorPrimitives.Dot(itemFactors.Slice(i * rank, rank), vector) + (itemBias.IsEmpty ? 0f : itemBias[i]) + offset;
        }
    }
}
