using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recsys.Recommenders;

/// <summary>
/// Selects the best-scored items with a bounded heap: O(items · log N) time, no allocation besides the caller's
/// buffers. Order: higher score first, then lower item index, so results are deterministic under ties.
/// </summary>
internal static class TopN
{
    /// <summary>
    /// Writes the best items of <paramref name="scores"/> into <paramref name="destination"/>, skipping NaN scores
    /// (the marker for an excluded item) and items the filter rejects.
    /// </summary>
    public static int Select(ReadOnlySpan<float> scores, Span<ScoredItem> destination, RecommendationFilter filter)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        var count = 0;
        var minScore = filter.MinScore ?? float.NegativeInfinity;
        var needsAdmit = filter.AllowedItems is not null || filter.ExcludedItems is not null || filter.ItemPredicate is not null;
        if (filter.AllowedItems is { } allowed && allowed.Count < scores.Length / 4)
        {
            foreach (var item in allowed)
            {
                if ((uint)item < (uint)scores.Length)
                {
                    Offer(scores[item], item, destination, ref count, minScore, filter, needsAdmit);
                }
            }
        }
        else
        {
            // Until the heap is full every item is offered.
            var item = 0;
            for (; item < scores.Length && count < destination.Length; item++)
            {
                Offer(scores[item], item, destination, ref count, minScore, filter, needsAdmit);
            }

            if (Vector256.IsHardwareAccelerated && count == destination.Length)
            {
                item = SkipBlocks(scores, item, destination, ref count, minScore, filter, needsAdmit);
            }

            for (; item < scores.Length; item++)
            {
                // Items arrive in ascending order, so once the heap is full only a strictly higher score than its
                // worst entry can get in (an equal score loses the tie to the earlier, lower index). NaN fails too.
                var score = scores[item];
                if (count == destination.Length && !(score > destination[0].Score))
                {
                    continue;
                }

                Offer(score, item, destination, ref count, minScore, filter, needsAdmit);
            }
        }

        var result = destination[..count];
        result.Sort(static (a, b) => Better(a, b) ? -1 : Better(b, a) ? 1 : 0);
        return count;
    }

    /// <summary>
    /// <see cref="Select"/> over scores kept in another order: <paramref name="rowScores"/>[r] is the score of item
    /// <paramref name="rowItems"/>[r] (empty: of item r), and items beyond the given rows count as NaN. The same items,
    /// scores and order as <see cref="Select"/> over the item-ordered scores.
    /// </summary>
    public static int SelectRows(ReadOnlySpan<float> rowScores, ReadOnlySpan<int> rowItems, Span<ScoredItem> destination, RecommendationFilter filter)
    {
        if (rowItems.IsEmpty)
        {
            // Row r is item r: the rows are a prefix of the items, and the rest would be NaN.
            return Select(rowScores, destination, filter);
        }

        if (destination.IsEmpty)
        {
            return 0;
        }

        var count = 0;
        var minScore = filter.MinScore ?? float.NegativeInfinity;
        var needsAdmit = filter.AllowedItems is not null || filter.ExcludedItems is not null || filter.ItemPredicate is not null;
        var row = 0;
        for (; row < rowScores.Length && count < destination.Length; row++)
        {
            Offer(rowScores[row], rowItems[row], destination, ref count, minScore, filter, needsAdmit);
        }

        // Items do not arrive in ascending order here, so a score equal to the heap's worst may still win its tie (a
        // lower item): the skip lets equal scores through and Offer compares (score, item) fully.
        ref var first = ref MemoryMarshal.GetReference(rowScores);
        if (Vector256.IsHardwareAccelerated && count == destination.Length)
        {
            for (; row + Vector256<float>.Count <= rowScores.Length; row += Vector256<float>.Count)
            {
                var mask = Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref first, (nuint)row), Vector256.Create(destination[0].Score)).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    var k = row + BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    Offer(rowScores[k], rowItems[k], destination, ref count, minScore, filter, needsAdmit);
                }
            }
        }

        for (; row < rowScores.Length; row++)
        {
            var score = rowScores[row];
            if (count == destination.Length && !(score >= destination[0].Score))
            {
                continue;
            }

            Offer(score, rowItems[row], destination, ref count, minScore, filter, needsAdmit);
        }

        destination[..count].Sort(static (a, b) => Better(a, b) ? -1 : Better(b, a) ? 1 : 0);
        return count;
    }

    /// <summary>
    /// The scan of <see cref="Select"/> once the heap is full, eight scores at a time from <paramref name="item"/>: a
    /// block none of whose scores beats the heap's worst (NaN never does) is skipped with one comparison, so the common
    /// case costs no branch per item. Returns where it stopped (the rest, fewer than eight, are left to the scalar loop).
    /// </summary>
    private static int SkipBlocks(ReadOnlySpan<float> scores, int item, Span<ScoredItem> destination, ref int count, float minScore, RecommendationFilter filter, bool needsAdmit)
    {
        ref var first = ref MemoryMarshal.GetReference(scores);
        for (; item + Vector256<float>.Count <= scores.Length; item += Vector256<float>.Count)
        {
            var mask = Vector256.GreaterThan(Vector256.LoadUnsafe(ref first, (nuint)item), Vector256.Create(destination[0].Score)).ExtractMostSignificantBits();
            while (mask != 0)
            {
                var k = item + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                var score = scores[k];
                if (score > destination[0].Score)
                {
                    Offer(score, k, destination, ref count, minScore, filter, needsAdmit);
                }
            }
        }

        return item;
    }

    /// <summary>
    /// The best of the given items only (<paramref name="itemScores"/>[k] is the score of <paramref name="items"/>[k]),
    /// with the same filter, NaN rule and order as <see cref="Select"/> over a score array that has these scores and
    /// NaN everywhere else.
    /// </summary>
    public static int SelectAmong(ReadOnlySpan<int> items, ReadOnlySpan<float> itemScores, Span<ScoredItem> destination, RecommendationFilter filter)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        var count = 0;
        var minScore = filter.MinScore ?? float.NegativeInfinity;
        var needsAdmit = filter.AllowedItems is not null || filter.ExcludedItems is not null || filter.ItemPredicate is not null;
        for (var k = 0; k < items.Length; k++)
        {
            // Offer compares (score, item) fully, so the items may come in any order.
            Offer(itemScores[k], items[k], destination, ref count, minScore, filter, needsAdmit);
        }

        destination[..count].Sort(static (a, b) => Better(a, b) ? -1 : Better(b, a) ? 1 : 0);
        return count;
    }

    /// <summary>Rents a score buffer of the given length; return it with <see cref="Return"/>.</summary>
    public static float[] Rent(int length) => ArrayPool<float>.Shared.Rent(Math.Max(1, length));

    public static void Return(float[] buffer) => ArrayPool<float>.Shared.Return(buffer);

    /// <summary>Whether <paramref name="a"/> ranks before <paramref name="b"/>.</summary>
    public static bool Better(ScoredItem a, ScoredItem b) => a.Score > b.Score || (a.Score == b.Score && a.Item < b.Item);

    private static void Offer(float score, int item, Span<ScoredItem> heap, ref int count, float minScore, RecommendationFilter filter, bool needsAdmit)
    {
        if (float.IsNaN(score) || score < minScore)
        {
            return;
        }

        var candidate = new ScoredItem(item, score);
        if (count == heap.Length && !Better(candidate, heap[0]))
        {
            return;
        }

        if (needsAdmit && !filter.Admits(item))
        {
            return;
        }

        if (count < heap.Length)
        {
            // Sift up: the root holds the worst kept item.
            var i = count++;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (!Better(heap[parent], candidate))
                {
                    break;
                }

                heap[i] = heap[parent];
                i = parent;
            }

            heap[i] = candidate;
            return;
        }

        // Replace the root and sift down.
        var at = 0;
        while (true)
        {
            var left = (2 * at) + 1;
            if (left >= count)
            {
                break;
            }

            var worse = left;
            var right = left + 1;
            if (right < count && Better(heap[left], heap[right]))
            {
                worse = right;
            }

            if (!Better(candidate, heap[worse]))
            {
                break;
            }

            heap[at] = heap[worse];
            at = worse;
        }

        heap[at] = candidate;
    }
}
