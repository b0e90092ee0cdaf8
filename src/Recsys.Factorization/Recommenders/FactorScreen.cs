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
/// <para>
/// When the item norms are uneven (see <see cref="Ordered"/>) the copy keeps the rows in descending order of ‖q_i‖, in
/// blocks of <see cref="BlockRows"/>, so a request can stop early: by Cauchy–Schwarz no item after row r scores above ‖u‖·max_{j≥r}‖q_j‖ + max_{j≥r} b_j + offset, and once
/// that (plus δ and rounding) is below the threshold the items scanned so far give, no later item can be a candidate
/// nor change the approximate top N (<see cref="End"/>). At serving sizes most items are rarely chosen and have small
/// factors: on ml-latest-small (implicit ALS, rank 64) the median user needs about a quarter of the rows.
/// </para>
/// </summary>
internal abstract class FactorScreen
{
    /// <summary>Below this many items the factors stay in the core's caches and the screen saves nothing.</summary>
    public const int MinItems = 2048;

    /// <summary>Rows per block of the early stop: a multiple of the kernels' four rows.</summary>
    public const int BlockRows = 64;

    // For block b: the largest ‖q_j‖ (rounded up) and the largest b_j over rows j ≥ b·BlockRows.
    private readonly double[] _suffixNorm;
    private readonly double[] _suffixBias;

    // The inverse of Order (item i is row _rowOf[i]); null with it.
    private readonly int[]? _rowOf;

    private protected FactorScreen(Layout layout, int rank, double maxNorm, double maxBias)
    {
        Rank = rank;
        MaxNorm = maxNorm;
        MaxBias = maxBias;
        Order = layout.Order;
        Rows = layout.Norms.Length;
        if (Order is not null)
        {
            _rowOf = new int[Rows];
            for (var r = 0; r < Rows; r++)
            {
                _rowOf[Order[r]] = r;
            }
        }

        Bias = layout.Bias;
        var blocks = (Rows + BlockRows - 1) / BlockRows;
        _suffixNorm = new double[blocks];
        _suffixBias = new double[blocks];
        double norm = 0, bias = double.NegativeInfinity;
        for (var b = blocks - 1; b >= 0; b--)
        {
            for (var row = b * BlockRows; row < Math.Min(Rows, (b + 1) * BlockRows); row++)
            {
                norm = Math.Max(norm, layout.Norms[row]);
                bias = Math.Max(bias, Bias.Length == 0 ? 0 : Bias[row]);
            }

            _suffixNorm[b] = norm;
            _suffixBias[b] = bias;
        }
    }

    /// <summary>The factors' rank.</summary>
    public int Rank { get; }

    /// <summary>The number of rows (items).</summary>
    public int Rows { get; }

    /// <summary>
    /// Whether the rows are in descending norm, so that <see cref="End"/> can stop a request early; false when the
    /// norms are too even for that to pay (then row r is item r and a request scores every row in one pass).
    /// </summary>
    public bool Ordered => Order is not null;

    /// <summary>Row r of the copy is item Order[r]; null when row r is item r.</summary>
    private protected int[]? Order { get; }

    /// <summary>The item of each row (row r is item RowItems[r]); empty when row r is item r.</summary>
    public ReadOnlySpan<int> RowItems => Order;

    /// <summary>The row of each item (item i is row ItemRows[i]); empty when row r is item r.</summary>
    public ReadOnlySpan<int> ItemRows => _rowOf;

    /// <summary>The item biases in row order; empty without biases.</summary>
    private protected float[] Bias { get; }

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

        var kind = precision ?? (Int8Screen.Supported(rank) ? ScreenPrecision.Int8 : ScreenPrecision.BFloat16);
        if (kind == ScreenPrecision.Int8 && !Int8Screen.Supported(rank))
        {
            return null;
        }

        var layout = Layout.ByNorm(itemFactors, rank, items, itemBias);
        return kind == ScreenPrecision.Int8 ? new Int8Screen(itemFactors, rank, layout, maxBias) : new BFloat16Screen(itemFactors, rank, layout, maxBias);
    }

    /// <summary>
    /// Writes scores[Order[r]] ≈ q · vector + b + offset for the rows r in [<paramref name="from"/>, <paramref name="to"/>)
    /// (<paramref name="scores"/> is indexed by item; other entries are left as they are) and returns δ, a bound on
    /// |approximate − exact| for every item of this request, where exact is what <see cref="ScoreKernel"/> computes
    /// in float; not finite when the vector or the offset is not (and then the scores written mean nothing).
    /// </summary>
    public double Scores(ReadOnlySpan<float> vector, float offset, Span<float> scores, int from, int to)
    {
        if (vector.Length < Rank || scores.Length < Rows || from < 0 || to > Rows || from > to)
        {
            throw new ArgumentException("The spans are shorter than the item count and rank require, or the rows are out of range.");
        }

        if (Order is null)
        {
            return ScoreRows(vector[..Rank], offset, from, scores[from..to]);
        }

        var pooled = System.Buffers.ArrayPool<float>.Shared.Rent(to - from);
        try
        {
            var rows = pooled.AsSpan(0, to - from);
            var delta = ScoreRows(vector[..Rank], offset, from, rows);
            if (double.IsFinite(delta))
            {
                var order = Order.AsSpan(from, rows.Length);
                for (var r = 0; r < rows.Length; r++)
                {
                    scores[order[r]] = rows[r];
                }
            }

            return delta;
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(pooled);
        }
    }

    /// <summary>
    /// Writes the approximate scores of rows [<paramref name="from"/>, from + rowScores.Length) to
    /// <paramref name="rowScores"/> in row order (row r is item <see cref="RowItems"/>[r]) and returns δ as
    /// <see cref="Scores"/> does.
    /// </summary>
    public double RowScores(ReadOnlySpan<float> vector, float offset, Span<float> rowScores, int from)
    {
        if (vector.Length < Rank || from < 0 || from + rowScores.Length > Rows)
        {
            throw new ArgumentException("The vector is shorter than the rank, or the rows are out of range.");
        }

        return ScoreRows(vector[..Rank], offset, from, rowScores);
    }

    /// <summary>
    /// The first row at or after <paramref name="from"/> (a block start) from which no item can reach
    /// <paramref name="threshold"/>: ‖u‖·max‖q‖ + max b + offset + δ + rounding below it for every later row, so each
    /// later approximate score is below the threshold. <see cref="Rows"/> when there is none.
    /// </summary>
    public int End(ReadOnlySpan<float> vector, float offset, double delta, float threshold, int from)
    {
        var userNorm = Norm(vector[..Rank]);
        var margin = offset + delta + Rounding(userNorm, offset);
        for (var b = from / BlockRows; b < _suffixNorm.Length; b++)
        {
            if ((userNorm * _suffixNorm[b]) + _suffixBias[b] + margin < threshold)
            {
                return b * BlockRows;
            }
        }

        return Rows;
    }

    /// <summary>
    /// Writes the approximate scores of rows [<paramref name="from"/>, from + scores.Length) to
    /// <paramref name="scores"/>, in row order, and returns δ (see <see cref="Scores"/>).
    /// </summary>
    private protected abstract double ScoreRows(ReadOnlySpan<float> vector, float offset, int from, Span<float> scores);

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

    /// <summary>
    /// The row order of a copy (descending ‖q_i‖, ties by item; null for the items' own order), each row's ‖q_i‖ rounded
    /// up, and the biases in row order.
    /// </summary>
    internal sealed record Layout(int[]? Order, double[] Norms, float[] Bias)
    {
        /// <summary>
        /// Rows in descending norm when the median norm is under half the largest (trained factors: most items are
        /// rarely chosen and have small factors), else the items' own order: with even norms the bound stops nothing
        /// and the reordering would only cost (scattering each score back to its item).
        /// </summary>
        public static Layout ByNorm(ReadOnlySpan<float> itemFactors, int rank, int items, ReadOnlySpan<float> itemBias)
        {
            var norms = new double[items];
            for (var i = 0; i < items; i++)
            {
                norms[i] = Norm(itemFactors.Slice(i * rank, rank));
            }

            var byNorm = norms.ToArray();
            Array.Sort(byNorm);
            if (byNorm[items / 2] >= byNorm[^1] / 2)
            {
                return new Layout(null, norms, itemBias.IsEmpty ? [] : itemBias[..items].ToArray());
            }

            var order = new int[items];
            for (var i = 0; i < items; i++)
            {
                order[i] = i;
            }

            Array.Sort(order, (a, b) => norms[a] != norms[b] ? norms[b].CompareTo(norms[a]) : a.CompareTo(b));
            var sortedNorms = new double[items];
            var bias = itemBias.IsEmpty ? [] : new float[items];
            for (var r = 0; r < items; r++)
            {
                sortedNorms[r] = norms[order[r]];
                if (bias.Length > 0)
                {
                    bias[r] = itemBias[order[r]];
                }
            }

            return new Layout(order, sortedNorms, bias);
        }

        /// <summary>The item at row <paramref name="row"/>.</summary>
        public int Item(int row) => Order is null ? row : Order[row];
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
