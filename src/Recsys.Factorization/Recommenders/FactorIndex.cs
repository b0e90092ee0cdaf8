using System.Buffers;
using Recsys.Numerics;

namespace Recsys.Recommenders;

/// <summary>
/// An inverted-file index (IVF) for maximum-inner-product top-N over a large catalog: the items are clustered by
/// k-means into about 2·√items lists in the space where inner products are distances (each [q_i, b_i] scaled to the
/// unit ball and completed to a unit vector), each list with its mean factors and bias; a request scores those,
/// scans only the items of the <see cref="Probe"/> best lists and re-ranks its candidates exactly.
/// </summary>
/// <remarks>
/// <para>Why IVF and not HNSW on the MIPS→NN transform: an IVF is built in seconds by k-means (HNSW's graph takes
/// minutes at a million items), scans contiguous rows with the same SIMD kernel as the exact top-N (so its scores are
/// the exact scores, and exhaustive probing returns exactly what scoring every item returns), keeps filters and
/// exclusion as plain row checks, and stores compactly: the centroids and the list order of the items (4 bytes an
/// item); the rows themselves are copied from the model's factors when it is loaded.</para>
/// <para>Exactness: each list's rows are copied contiguously and padded to a multiple of four, so every row is scored
/// by the kernel's four-row path exactly as in the model's own layout; the few items in the model's last, partial
/// block of four (scored by the kernel's tail path) are always re-scored from the model's layout. The request selects
/// the top N + 3 of the scanned scores, adds those items, re-scores all exactly and selects the top N: with every list
/// probed that is bit for bit the full scan's answer (<c>FactorIndexTests</c>).</para>
/// <para><see cref="Probe"/> is calibrated when the index is built: the fewest lists for which the top 10 of a sample
/// of the model's own users reaches a recall of <see cref="TargetRecall"/> against the exact top 10.</para>
/// </remarks>
internal sealed class FactorIndex
{
    /// <summary>Catalogs at least this large get an index (below it the screened full scan is as fast).</summary>
    public const int MinItems = 100_000;

    /// <summary>The recall@10 against the exact top 10 that <see cref="Probe"/> is calibrated for.</summary>
    public const double TargetRecall = 0.95;

    // The calibration sample's users are the ones the probe was chosen on; other users fared about 0.01 worse at a
    // million items (scripts/ann-compare.sh: 0.943 at the probe that gave the sample 0.95), so the sample must reach this.
    private const double CalibrationRecall = TargetRecall + 0.01;

    private const int KMeansIterations = 8;
    private const int SamplePerList = 32;
    private const int CalibrationQueries = 500;

    private readonly int[] _listOffsets; // padded rows: list l owns rows _listOffsets[l] … _listOffsets[l+1]-1
    private readonly int[] _listCounts;  // real items of each list (the rest of its rows are padding)
    private readonly int[] _rowItems;    // item of each row; -1 for padding
    private readonly float[] _rowFactors;
    private readonly float[]? _rowBias;
    private readonly float[] _centroidBias;
    private readonly int[] _itemList;     // list of each item
    private readonly int[] _itemPosition; // row of each item within its list

    private FactorIndex(int rank, float[] centroids, float[] centroidBias, int[] listCounts, int[] listItems, int probe, float[] itemFactors, float[]? itemBias)
    {
        Rank = rank;
        Centroids = centroids;
        _centroidBias = centroidBias;
        _listCounts = listCounts;
        ListItems = listItems;
        Probe = probe;
        var lists = listCounts.Length;
        _listOffsets = new int[lists + 1];
        for (var l = 0; l < lists; l++)
        {
            _listOffsets[l + 1] = _listOffsets[l] + ((listCounts[l] + 3) & ~3);
        }

        var rows = _listOffsets[lists];
        MaxListRows = Enumerable.Range(0, lists).Max(l => _listOffsets[l + 1] - _listOffsets[l]);
        _rowItems = new int[rows];
        _rowFactors = new float[(long)rows * rank];
        _rowBias = itemBias is null ? null : new float[rows];
        _rowItems.AsSpan().Fill(-1);
        _itemList = new int[listItems.Length];
        _itemPosition = new int[listItems.Length];
        var next = 0;
        for (var l = 0; l < lists; l++)
        {
            for (var k = 0; k < listCounts[l]; k++)
            {
                var item = listItems[next++];
                var row = _listOffsets[l] + k;
                _rowItems[row] = item;
                _itemList[item] = l;
                _itemPosition[item] = k;
                itemFactors.AsSpan(item * rank, rank).CopyTo(_rowFactors.AsSpan(row * rank, rank));
                _rowBias?[row] = itemBias![item];
            }
        }
    }

    public int Rank { get; }

    /// <summary>Gets the number of lists.</summary>
    public int Lists => _listCounts.Length;

    /// <summary>Gets how many lists a request scans.</summary>
    public int Probe { get; private set; }

    /// <summary>Gets the centroids, lists × rank.</summary>
    public float[] Centroids { get; }

    /// <summary>Gets the items list by list (what the model file keeps).</summary>
    public int[] ListItems { get; }

    public ReadOnlySpan<int> ListCounts => _listCounts;

    public ReadOnlySpan<float> CentroidBias => _centroidBias;

    /// <summary>Rebuilds an index from what a model file keeps, with the rows copied from the model's factors.</summary>
    public static FactorIndex FromParts(int rank, float[] centroids, float[] centroidBias, int[] listCounts, int[] listItems, int probe, float[] itemFactors, float[]? itemBias)
    {
        var items = itemFactors.Length / Math.Max(1, rank);
        var lists = listCounts.Length;
        if (rank <= 0 || lists == 0 || centroids.Length != (long)lists * rank || centroidBias.Length != lists
            || listItems.Length != items || listCounts.Sum(c => (long)c) != items || probe < 1 || probe > lists || listCounts.Any(c => c < 0))
        {
            throw new ArgumentException($"The item index does not match {items} items and rank {rank}.");
        }

        var seen = new bool[items];
        foreach (var item in listItems)
        {
            if ((uint)item >= (uint)items || seen[item])
            {
                throw new ArgumentException($"The item index lists item {item} twice or outside 0 … {items - 1}.");
            }

            seen[item] = true;
        }

        return new FactorIndex(rank, centroids, centroidBias, listCounts, listItems, probe, itemFactors, itemBias);
    }

    /// <summary>Clusters the item rows (seeded k-means on a sample, then every item to its nearest centroid) and calibrates <see cref="Probe"/> on a sample of the users.</summary>
    public static FactorIndex Build(float[] itemFactors, float[]? itemBias, int rank, float[] userFactors, ulong seed)
    {
        var items = itemFactors.Length / rank;
        var lists = Math.Clamp((int)Math.Round(2 * Math.Sqrt(items)), 1, 8192);
        var random = RandomSource.ForStream(seed, 77);

        // k-means in the space where inner products are distances: each [q_i, b_i] scaled by the largest norm M and
        // completed by sqrt(1 − ‖·‖²) to a unit vector (the MIPS-to-nearest-neighbour transform), so a list holds items
        // of like direction and like norm; in the raw space the many small-norm items, which rarely reach a top 10,
        // share lists with the few large ones that do.
        var bias = itemBias ?? new float[items];
        double largest = 0;
        for (var i = 0; i < items; i++)
        {
            var row = itemFactors.AsSpan(i * rank, rank);
            largest = Math.Max(largest, System.Numerics.Tensors.TensorPrimitives.Dot(row, row) + ((double)bias[i] * bias[i]));
        }

        var scale = largest > 0 ? (float)(1 / Math.Sqrt(largest)) : 1f;
        var scaledBias = new float[items];
        var completion = new float[items];
        for (var i = 0; i < items; i++)
        {
            var row = itemFactors.AsSpan(i * rank, rank);
            var squared = (System.Numerics.Tensors.TensorPrimitives.Dot(row, row) + ((double)bias[i] * bias[i])) * scale * scale;
            scaledBias[i] = bias[i] * scale;
            completion[i] = (float)Math.Sqrt(Math.Max(0, 1 - squared));
        }

        var space = new Space(itemFactors, rank, scale, scaledBias, completion);

        // Lloyd iterations on a sample, from distinct random items (an emptied list takes a random item).
        var sampleSize = Math.Min(items, lists * SamplePerList);
        var sample = SampleWithoutReplacement(items, sampleSize, random);
        var centroids = new KMeansCentroids(lists, rank);
        for (var l = 0; l < lists; l++)
        {
            centroids.SetTo(l, space, sample[l]);
        }

        var assignment = new int[sampleSize];
        for (var iteration = 0; iteration < KMeansIterations; iteration++)
        {
            space.Assign(sample, centroids, assignment);
            var counts = centroids.MeansOf(space, sample, assignment);
            for (var l = 0; l < lists; l++)
            {
                if (counts[l] == 0)
                {
                    centroids.SetTo(l, space, sample[random.Next(sampleSize)]);
                }
            }
        }

        // Every item to its nearest centroid; lists in item order within.
        var all = new int[items];
        for (var i = 0; i < items; i++)
        {
            all[i] = i;
        }

        var listOf = new int[items];
        space.Assign(all, centroids, listOf);

        // The probing centroids: the means of their final lists in the model's own scale (no completion), so a list's
        // score is its items' mean score.
        var probing = new KMeansCentroids(lists, rank);
        var listCounts = probing.MeansOf(new Space(itemFactors, rank, 1f, itemBias ?? new float[items], new float[items]), all, listOf);
        var starts = new int[lists];
        for (var l = 1; l < lists; l++)
        {
            starts[l] = starts[l - 1] + listCounts[l - 1];
        }

        var listItems = new int[items];
        for (var i = 0; i < items; i++)
        {
            listItems[starts[listOf[i]]++] = i;
        }

        var index = new FactorIndex(rank, probing.Factors, probing.Bias, listCounts, listItems, lists, itemFactors, itemBias);
        index.Probe = index.Calibrate(itemFactors, itemBias, userFactors, random);
        return index;
    }

    /// <summary>The fewest lists whose scan finds <see cref="TargetRecall"/> of the exact top 10 for a sample of the users.</summary>
    private int Calibrate(float[] itemFactors, float[]? itemBias, float[] userFactors, RandomSource random)
    {
        var users = userFactors.Length / Rank;
        var items = itemFactors.Length / Rank;
        if (users == 0)
        {
            return Math.Max(1, Lists / 10);
        }

        var queries = SampleWithoutReplacement(users, Math.Min(users, CalibrationQueries), random);
        var exact = new int[queries.Length][];
        var scores = new float[items];
        var top = new ScoredItem[10];
        for (var q = 0; q < queries.Length; q++)
        {
            ScoreKernel.Scores(itemFactors, Rank, userFactors.AsSpan(queries[q] * Rank, Rank), itemBias ?? [], 0f, scores);
            var n = TopN.Select(scores, top, RecommendationFilter.None);
            exact[q] = [.. top[..n].ToArray().Select(s => s.Item)];
        }

        double Recall(int probe)
        {
            var found = 0;
            var total = 0;
            var result = new ScoredItem[10];
            for (var q = 0; q < queries.Length; q++)
            {
                var n = Search(userFactors.AsSpan(queries[q] * Rank, Rank), 0f, probe, result);
                var got = result[..n].ToArray().Select(s => s.Item).ToHashSet();
                found += exact[q].Count(got.Contains);
                total += exact[q].Length;
            }

            return total == 0 ? 1 : (double)found / total;
        }

        // Doubling to a probe that reaches the target, then bisection down to the fewest lists that do.
        var high = 1;
        while (high < Lists && Recall(high) < CalibrationRecall)
        {
            high = Math.Min(Lists, high * 2);
        }

        var low = high / 2;
        while (low + 1 < high)
        {
            var middle = (low + high) / 2;
            if (Recall(middle) >= CalibrationRecall)
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        return high;
    }

    /// <summary>
    /// The approximate top N of <c>vector · q_i + b_i + offset</c> over the <paramref name="probe"/> best lists,
    /// without exact re-ranking or filters (the calibration's and the benchmarks' raw search).
    /// </summary>
    public int Search(ReadOnlySpan<float> vector, float offset, int probe, Span<ScoredItem> destination)
    {
        var buffer = ArrayPool<float>.Shared.Rent(Rows(probe));
        var items = ArrayPool<int>.Shared.Rent(Rows(probe));
        var lists = ArrayPool<int>.Shared.Rent(probe);
        try
        {
            var rows = Scan(vector, offset, probe, lists.AsSpan(0, probe), buffer, items);
            return TopN.SelectRows(buffer.AsSpan(0, rows), items.AsSpan(0, rows), destination, RecommendationFilter.None);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(lists);
            ArrayPool<int>.Shared.Return(items);
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>An upper bound of the rows a scan of <paramref name="probe"/> lists fills.</summary>
    public int Rows(int probe) => Math.Min(_rowItems.Length, probe * (MaxListRows + 1));

    private int MaxListRows { get; }

    /// <summary>
    /// Scores the rows of the <paramref name="probe"/> lists whose centroids score best into <paramref name="scores"/>
    /// (padding rows NaN) with their items in <paramref name="rowItems"/>, and returns the number of rows written;
    /// <paramref name="probed"/> receives the lists, in the order their rows were written.
    /// </summary>
    public int Scan(ReadOnlySpan<float> vector, float offset, int probe, Span<int> probed, Span<float> scores, Span<int> rowItems)
    {
        probe = Math.Min(probe, Lists);
        var centroidScores = ArrayPool<float>.Shared.Rent(Lists);
        try
        {
            var span = centroidScores.AsSpan(0, Lists);
            ScoreKernel.Scores(Centroids, Rank, vector, _centroidBias, 0f, span);
            SelectLists(span, probed[..probe]);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(centroidScores);
        }

        var written = 0;
        foreach (var list in probed[..probe])
        {
            var start = _listOffsets[list];
            var rows = _listOffsets[list + 1] - start;
            var target = scores.Slice(written, rows);
            ScoreKernel.Scores(_rowFactors.AsSpan(start * Rank, rows * Rank), Rank, vector, _rowBias is null ? [] : _rowBias.AsSpan(start, rows), offset, target);
            target[_listCounts[list]..].Fill(float.NaN);
            _rowItems.AsSpan(start, rows).CopyTo(rowItems.Slice(written, rows));
            written += rows;
        }

        return written;
    }

    /// <summary>Sets the scores of the given items that a scan of <paramref name="probed"/> lists wrote to NaN (a user's training items).</summary>
    public void MarkItems(ReadOnlySpan<int> items, ReadOnlySpan<int> probed, Span<float> scores)
    {
        if (items.IsEmpty)
        {
            return;
        }

        var starts = ArrayPool<int>.Shared.Rent(Lists);
        try
        {
            starts.AsSpan(0, Lists).Fill(-1);
            var written = 0;
            foreach (var list in probed)
            {
                starts[list] = written;
                written += _listOffsets[list + 1] - _listOffsets[list];
            }

            foreach (var item in items)
            {
                if ((uint)item < (uint)_itemList.Length && starts[_itemList[item]] is >= 0 and var start)
                {
                    scores[start + _itemPosition[item]] = float.NaN;
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(starts);
        }
    }

    /// <summary>The lists with the best scores, best first (ties to the lower list).</summary>
    private static void SelectLists(ReadOnlySpan<float> scores, Span<int> destination)
    {
        var best = ArrayPool<ScoredItem>.Shared.Rent(destination.Length);
        try
        {
            var n = TopN.Select(scores, best.AsSpan(0, destination.Length), RecommendationFilter.None);
            for (var k = 0; k < destination.Length; k++)
            {
                destination[k] = k < n ? best[k].Item : FirstMissing(destination[..k], scores.Length);
            }
        }
        finally
        {
            ArrayPool<ScoredItem>.Shared.Return(best);
        }
    }

    // A list not yet chosen (only when centroid scores are NaN: a non-finite user vector).
    private static int FirstMissing(ReadOnlySpan<int> chosen, int lists)
    {
        for (var l = 0; l < lists; l++)
        {
            if (chosen.IndexOf(l) < 0)
            {
                return l;
            }
        }

        return 0;
    }

    /// <summary>The items in the k-means space: [q_i·scale, b_i·scale, completion_i], a unit vector each (q_i read in place).</summary>
    private sealed class Space(float[] factors, int rank, float scale, float[] bias, float[] completion)
    {
        public int Rank => rank;

        public float Factor(int item, int f) => factors[(item * rank) + f] * scale;

        public float Bias(int item) => bias[item];

        public float Completion(int item) => completion[item];

        /// <summary>Each row to its nearest centroid (the largest x·c − ‖c‖²/2), scored by the top-N kernel, in parallel.</summary>
        public void Assign(int[] rows, KMeansCentroids centroids, int[] assignment)
        {
            var lists = centroids.Count;
            var halfNorms = centroids.HalfNorms();
            Parallel.For(
                0,
                (rows.Length + 1023) / 1024,
                () => new float[lists],
                (chunk, _, scores) =>
                {
                    var end = Math.Min(rows.Length, (chunk + 1) * 1024);
                    for (var s = chunk * 1024; s < end; s++)
                    {
                        var item = rows[s];
                        ScoreKernel.Scores(centroids.Factors, rank, factors.AsSpan(item * rank, rank), [], 0f, scores);
                        System.Numerics.Tensors.TensorPrimitives.Multiply(scores, scale, scores);
                        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(centroids.Bias, bias[item], scores, scores);
                        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(centroids.Completion, completion[item], scores, scores);
                        System.Numerics.Tensors.TensorPrimitives.Subtract(scores, halfNorms, scores);
                        assignment[s] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(scores);
                    }

                    return scores;
                },
                static _ => { });
        }
    }

    /// <summary>k-means centroids in the <see cref="Space"/>: the factor part (lists × rank), the bias and the completion parts.</summary>
    private sealed class KMeansCentroids(int count, int rank)
    {
        public int Count => count;

        public float[] Factors { get; } = new float[count * rank];

        public float[] Bias { get; } = new float[count];

        public float[] Completion { get; } = new float[count];

        public void SetTo(int list, Space space, int item)
        {
            for (var f = 0; f < rank; f++)
            {
                Factors[(list * rank) + f] = space.Factor(item, f);
            }

            Bias[list] = space.Bias(item);
            Completion[list] = space.Completion(item);
        }

        public float[] HalfNorms()
        {
            var half = new float[count];
            for (var l = 0; l < count; l++)
            {
                var c = Factors.AsSpan(l * rank, rank);
                half[l] = 0.5f * (System.Numerics.Tensors.TensorPrimitives.Dot(c, c) + (Bias[l] * Bias[l]) + (Completion[l] * Completion[l]));
            }

            return half;
        }

        /// <summary>Moves every centroid to the mean of its rows; returns how many rows each has.</summary>
        public int[] MeansOf(Space space, int[] rows, int[] assignment)
        {
            var sums = new double[count * (rank + 2)];
            var counts = new int[count];
            for (var s = 0; s < rows.Length; s++)
            {
                var l = assignment[s];
                var item = rows[s];
                counts[l]++;
                var at = l * (rank + 2);
                for (var f = 0; f < rank; f++)
                {
                    sums[at + f] += space.Factor(item, f);
                }

                sums[at + rank] += space.Bias(item);
                sums[at + rank + 1] += space.Completion(item);
            }

            for (var l = 0; l < count; l++)
            {
                if (counts[l] > 0)
                {
                    var at = l * (rank + 2);
                    for (var f = 0; f < rank; f++)
                    {
                        Factors[(l * rank) + f] = (float)(sums[at + f] / counts[l]);
                    }

                    Bias[l] = (float)(sums[at + rank] / counts[l]);
                    Completion[l] = (float)(sums[at + rank + 1] / counts[l]);
                }
            }

            return counts;
        }
    }

    private static int[] SampleWithoutReplacement(int population, int count, RandomSource random)
    {
        var all = new int[population];
        for (var k = 0; k < population; k++)
        {
            all[k] = k;
        }

        for (var k = 0; k < count; k++)
        {
            var j = k + random.Next(population - k);
            (all[k], all[j]) = (all[j], all[k]);
        }

        return all[..count];
    }
}
