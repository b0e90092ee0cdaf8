using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recsys.Recommenders;

/// <summary>
/// The screen's int8 copy: each item row q_i scaled by its own s_i = max|q_ij| / 127 and rounded to whole numbers
/// q̃_ij in [−127, 127], a quarter of the bytes of the factors (rank 64, 9,724 items: 0.6 MB instead of 2.5 MB; the pass
/// is bound by reading them). Each request rounds the user vector the same way, u ≈ t·ũ, and the dot products
/// ũ · q̃_i are exact integers from AVX-VNNI's byte dot product (<c>vpdpbusd</c>: unsigned × signed bytes, four
/// products summed into each 32-bit lane). The unsigned operand is ũ + 128 (1 … 255), and the row sums
/// c_i = 128·Σ_j q̃_ij kept with the copy take the 128 back out, so approximate = t·s_i·(acc_i − c_i) + b_i + offset.
/// By Cauchy–Schwarz |u·q_i − t·ũ·s_i·q̃_i| ≤ ‖u‖·‖q_i − s_i·q̃_i‖ + ‖u − t·ũ‖·‖s_i·q̃_i‖, so
/// δ = ‖u‖·max‖q − s·q̃‖ + ‖u − t·ũ‖·max‖s·q̃‖ plus the rounding bound of both scores.
/// </summary>
internal sealed class Int8Screen : FactorScreen
{
    private readonly sbyte[] _codes;
    private readonly float[] _scales;
    private readonly int[] _offsets;

    // The smallest non-zero row scale: t·s_i must stay a normal float for the rounding bound to hold.
    private readonly float _minScale;

    // Largest ‖q_i − s_i·q̃_i‖₂ and largest ‖s_i·q̃_i‖₂, rounded up.
    private readonly double _maxError;
    private readonly double _maxCopyNorm;

    /// <summary>The copy of <paramref name="itemFactors"/>, its rows in the order of <paramref name="layout"/>.</summary>
    internal Int8Screen(ReadOnlySpan<float> itemFactors, int rank, Layout layout, double maxBias)
        : this(Copy(itemFactors, rank, layout, out var state), rank, layout, state, maxBias)
    {
    }

    private Int8Screen(sbyte[] codes, int rank, Layout layout, CopyState state, double maxBias)
        : base(layout, rank, Math.Max(state.MaxNorm, state.MaxCopyNorm), maxBias)
    {
        _codes = codes;
        _scales = state.Scales;
        _offsets = state.Offsets;
        _maxError = state.MaxError;
        _maxCopyNorm = state.MaxCopyNorm;
        _minScale = state.MinScale;
    }

    /// <summary>
    /// Whether the CPU has AVX-VNNI and the rank is a whole number of 32-byte steps; at most 1,024, so that every
    /// ũ · q̃_i (at most rank·127² in magnitude, under 2²⁴) converts to float exactly.
    /// </summary>
    public static bool Supported(int rank) => AvxVnni.IsSupported && rank > 0 && rank % 32 == 0 && rank <= 1024;

    private readonly record struct CopyState(float[] Scales, int[] Offsets, double MaxError, double MaxNorm, double MaxCopyNorm, float MinScale);

    private static sbyte[] Copy(ReadOnlySpan<float> itemFactors, int rank, Layout layout, out CopyState state)
    {
        var items = layout.Norms.Length;
        var codes = new sbyte[items * rank];
        var scales = new float[items];
        var offsets = new int[items];
        double maxError = 0, maxNorm = 0, maxCopyNorm = 0;
        var minScale = float.PositiveInfinity;
        for (var i = 0; i < items; i++)
        {
            var row = itemFactors.Slice(layout.Item(i) * rank, rank);
            var scale = Scale(row);
            var sum = 0;
            double error = 0, norm = 0, copyNorm = 0;
            for (var f = 0; f < rank; f++)
            {
                var code = Code(row[f], scale);
                codes[(i * rank) + f] = code;
                sum += code;
                var copied = (double)scale * code;
                var d = row[f] - copied;
                error += d * d;
                norm += (double)row[f] * row[f];
                copyNorm += copied * copied;
            }

            scales[i] = scale;
            minScale = scale > 0 ? Math.Min(minScale, scale) : minScale;
            offsets[i] = 128 * sum;
            maxError = Math.Max(maxError, Math.Sqrt(error));
            maxNorm = Math.Max(maxNorm, Math.Sqrt(norm));
            maxCopyNorm = Math.Max(maxCopyNorm, Math.Sqrt(copyNorm));
        }

        // Rounded up by a margin far above double's own rounding of these sums.
        state = new CopyState(scales, offsets, maxError * (1 + 1e-9), maxNorm * (1 + 1e-9), maxCopyNorm * (1 + 1e-9), minScale);
        return codes;
    }

    /// <summary>max|x| / 127: the scale that maps the row onto [−127, 127] (zero for a zero row).</summary>
    private static float Scale(ReadOnlySpan<float> row)
    {
        var max = 0f;
        foreach (var x in row)
        {
            max = Math.Max(max, Math.Abs(x));
        }

        return max / 127f;
    }

    /// <summary>x / scale rounded to the nearest whole number in [−127, 127] (the bound holds for any code; nearest makes it small).</summary>
    private static sbyte Code(float x, float scale) =>
        scale == 0f ? (sbyte)0 : (sbyte)Math.Clamp(Math.Round((double)x / scale), -127, 127);

    private protected override double ScoreRows(ReadOnlySpan<float> vector, float offset, int from, Span<float> scores)
    {
        var rank = Rank;
        var user = vector[..rank];
        var userNorm = Norm(user);
        if (!double.IsFinite(userNorm))
        {
            return userNorm;
        }

        // u ≈ t·ũ, ũ in [−127, 127], stored as ũ + 128; ‖u − t·ũ‖ in double, rounded up.
        var t = Scale(user);
        if (t > 0 && t * _minScale < 1e-30f)
        {
            // Factors this small would make t·s_i subnormal, outside the rounding bound: no screen for this request.
            return double.PositiveInfinity;
        }

        Span<byte> shifted = stackalloc byte[rank];
        double userError = 0;
        for (var f = 0; f < rank; f++)
        {
            var code = Code(user[f], t);
            shifted[f] = (byte)(code + 128);
            var d = user[f] - ((double)t * code);
            userError += d * d;
        }

        userError = Math.Sqrt(userError) * (1 + 1e-9);
        var itemBias = Bias.Length == 0 ? [] : Bias.AsSpan(from, scores.Length);
        var i = Kernel(shifted, t, from, itemBias, offset, scores);
        for (; i < scores.Length; i++)
        {
            var row = from + i;
            var dot = 0;
            for (var f = 0; f < rank; f++)
            {
                dot += shifted[f] * _codes[(row * rank) + f];
            }

            scores[i] = (dot - _offsets[row]) * (t * _scales[row]) + (itemBias.IsEmpty ? 0f : itemBias[i]) + offset;
        }

        return (userNorm * _maxError) + (userError * _maxCopyNorm) + Rounding(userNorm + userError, offset);
    }

    /// <summary>Four items per step from row <paramref name="from"/>: 32 bytes of each row per <c>vpdpbusd</c>, the four integer sums reduced together.</summary>
    private int Kernel(ReadOnlySpan<byte> shifted, float t, int from, ReadOnlySpan<float> itemBias, float offset, Span<float> scores)
    {
        var rank = Rank;
        ref var codes = ref MemoryMarshal.GetReference(_codes.AsSpan(from * rank, scores.Length * rank));
        ref var user = ref MemoryMarshal.GetReference(shifted);
        ref var rowOffsets = ref MemoryMarshal.GetReference(_offsets.AsSpan(from, scores.Length));
        ref var scales = ref MemoryMarshal.GetReference(_scales.AsSpan(from, scores.Length));
        var scale = Vector128.Create(t);
        var stride = (nuint)rank;
        var i = 0;
        for (; i + 4 <= scores.Length; i += 4)
        {
            var a0 = Vector256<int>.Zero;
            var a1 = Vector256<int>.Zero;
            var a2 = Vector256<int>.Zero;
            var a3 = Vector256<int>.Zero;
            var row = (nuint)i * stride;
            for (var f = 0; f < rank; f += Vector256<byte>.Count)
            {
                var u = Vector256.LoadUnsafe(ref user, (nuint)f);
                var at = row + (nuint)f;
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, u, Vector256.LoadUnsafe(ref codes, at));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, u, Vector256.LoadUnsafe(ref codes, at + stride));
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, u, Vector256.LoadUnsafe(ref codes, at + (2 * stride)));
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, u, Vector256.LoadUnsafe(ref codes, at + (3 * stride)));
            }

            // [a0 01, a0 23, a1 01, a1 23 | …], then [a0, a1, a2, a3 | upper halves]: the four exact integer sums.
            var h = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a0, a1), Avx2.HorizontalAdd(a2, a3));
            var dots = h.GetLower() + h.GetUpper() - Vector128.LoadUnsafe(ref rowOffsets, (nuint)i);
            var sums = Vector128.ConvertToSingle(dots) * (scale * Vector128.LoadUnsafe(ref scales, (nuint)i));
            ScoreKernel.Store4(sums, itemBias, offset, scores, i);
        }

        return i;
    }
}
