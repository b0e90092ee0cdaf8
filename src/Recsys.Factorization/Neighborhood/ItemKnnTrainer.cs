using Recsys.Baselines;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Neighborhood;

/// <summary>
/// Item-based k-nearest neighbours with baselines (Koren 2010, "Factor in the neighbors"; Surprise's KNNBaseline):
/// r̂(u, i) = b(u, i) + Σ s(i, j)·(r(u, j) − b(u, j)) / Σ s(i, j) over the k items j most similar to i that u rated,
/// with b(u, i) = μ + b_u + b_i. As a ranking model an item scores the summed similarity to the user's positives.
/// </summary>
/// <remarks>
/// Similarities are computed item by item in parallel from the by-item and by-user indexes (each thread keeps one
/// dense accumulator row), and only each item's <see cref="ItemKnnOptions.StoredNeighbors"/> most similar items with
/// a positive similarity are kept, so memory is bounded by items × that number instead of items².
/// </remarks>
public sealed class ItemKnnTrainer : IRecommenderTrainer
{
    /// <summary>The name of the rating model (pearson-baseline similarity).</summary>
    public const string Name = "knn-baseline";

    /// <summary>The name of the ranking model (cosine of positives).</summary>
    public const string RankingName = "item-knn";

    private readonly ItemKnnOptions _options;

    /// <summary>Initializes a new instance of the <see cref="ItemKnnTrainer"/> class with the default options (KNNBaseline).</summary>
    public ItemKnnTrainer()
        : this(new ItemKnnOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ItemKnnTrainer"/> class.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is out of range.</exception>
    public ItemKnnTrainer(ItemKnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string Algorithm => _options.Purpose == ModelPurpose.Ranking ? RankingName : Name;

    /// <inheritdoc />
    public IRecommender Fit(InteractionDataset training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingGuard.ThrowIfEmpty(training);
        var ranking = _options.Purpose == ModelPurpose.Ranking;
        var pearson = _options.Similarity == ItemSimilarity.PearsonBaseline;
        var items = training.Items.Count;
        var rowItems = training.RowItems;
        var rowUsers = training.RowUsers;
        var rowValues = training.RowValues;

        double mean = training.GlobalMean;
        double[] userBias, itemBias;
        if (!ranking || pearson)
        {
            (mean, userBias, itemBias) = BaselineTrainer.FitBiases(training, _options.Baseline, null, cancellationToken);
        }
        else
        {
            userBias = new double[training.Users.Count];
            itemBias = new double[items];
        }

        progress?.Report(new TrainingProgress(Algorithm, 1, 3, double.NaN));

        // What each interaction contributes: to the similarity (NaN: nothing) and to a prediction.
        var similarityValues = new float[training.Count];
        var seenValues = new float[training.Count];
        var threshold = _options.PositiveThreshold;
        for (var row = 0; row < similarityValues.Length; row++)
        {
            var value = rowValues[row];
            var residual = (float)(value - mean - userBias[rowUsers[row]] - itemBias[rowItems[row]]);
            var counts = !ranking || threshold is null || value >= threshold;
            seenValues[row] = ranking ? (counts ? 1f : 0f) : residual;
            similarityValues[row] = !counts ? float.NaN : pearson ? residual : ranking ? 1f : value;
        }

        _ = training.ItemOffsets; // the by-item index, built once before the threads read it
        var keep = ranking ? _options.Neighbors : Math.Max(_options.Neighbors, _options.StoredNeighbors);
        var neighbors = new (int[] Items, float[] Weights)[items];
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.Threads == 0 ? Environment.ProcessorCount : _options.Threads,
            CancellationToken = cancellationToken,
        };
        Parallel.For(
            0,
            items,
            parallel,
            () => new Accumulator(items, keep),
            (i, _, acc) =>
            {
                neighbors[i] = acc.Similar(training, similarityValues, i, _options);
                return acc;
            },
            static _ => { });
        progress?.Report(new TrainingProgress(Algorithm, 2, 3, double.NaN));

        var offsets = new int[items + 1];
        for (var i = 0; i < items; i++)
        {
            offsets[i + 1] = checked(offsets[i] + neighbors[i].Items.Length);
        }

        var neighborItems = new int[offsets[^1]];
        var neighborWeights = new float[offsets[^1]];
        for (var i = 0; i < items; i++)
        {
            neighbors[i].Items.CopyTo(neighborItems, offsets[i]);
            neighbors[i].Weights.CopyTo(neighborWeights, offsets[i]);
        }

        var parts = new ItemKnnParts
        {
            Purpose = _options.Purpose,
            Neighbors = _options.Neighbors,
            Global = mean,
            UserBias = Array.ConvertAll(userBias, static b => (float)b),
            ItemBias = Array.ConvertAll(itemBias, static b => (float)b),
            NeighborOffsets = offsets,
            NeighborItems = neighborItems,
            NeighborWeights = neighborWeights,
            SeenValues = seenValues,
        };
        progress?.Report(new TrainingProgress(Algorithm, 3, 3, double.NaN));
        return new ItemKnnModel(Algorithm, TrainerParameters.ToJson(_options), TrainingFootprint.From(training), parts);
    }

    /// <summary>One thread's dense accumulators over the items, reset after each item through the touched list.</summary>
    private sealed class Accumulator(int items, int keep)
    {
        private readonly int[] _count = new int[items];
        private readonly double[] _product = new double[items];
        private readonly double[] _ownSquares = new double[items];
        private readonly double[] _otherSquares = new double[items];
        private readonly List<int> _touched = [];
        private readonly PriorityQueue<int, (float Similarity, int Item)> _best = new(keep + 1, WorstFirst.Instance);

        public (int[] Items, float[] Weights) Similar(InteractionDataset data, float[] values, int item, ItemKnnOptions options)
        {
            var itemRows = data.ItemRows.Slice(data.ItemOffsets[item], data.ItemOffsets[item + 1] - data.ItemOffsets[item]);
            var userOffsets = data.UserOffsets;
            var rowItems = data.RowItems;
            foreach (var own in itemRows)
            {
                var x = values[own];
                if (float.IsNaN(x))
                {
                    continue;
                }

                var user = data.RowUsers[own];
                for (var row = userOffsets[user]; row < userOffsets[user + 1]; row++)
                {
                    var y = values[row];
                    if (float.IsNaN(y))
                    {
                        continue;
                    }

                    var other = rowItems[row];
                    if (_count[other]++ == 0)
                    {
                        _touched.Add(other);
                    }

                    _product[other] += x * y;
                    _ownSquares[other] += x * x;
                    _otherSquares[other] += y * y;
                }
            }

            foreach (var other in _touched)
            {
                var n = _count[other];
                if (other != item && n >= options.MinSupport)
                {
                    var denominator = Math.Sqrt(_ownSquares[other] * _otherSquares[other]);
                    var similarity = denominator > 0 ? _product[other] / denominator * ((n - 1) / (n - 1 + options.Shrinkage)) : 0;
                    if (similarity > 0 && double.IsFinite(similarity))
                    {
                        Offer(other, (float)similarity);
                    }
                }

                _count[other] = 0;
                _product[other] = 0;
                _ownSquares[other] = 0;
                _otherSquares[other] = 0;
            }

            _touched.Clear();

            // Most similar first (ties: lower item index first).
            var result = new (int Item, float Weight)[_best.Count];
            for (var k = result.Length - 1; k >= 0; k--)
            {
                _best.TryDequeue(out var other, out var priority);
                result[k] = (other, priority.Similarity);
            }

            return (Array.ConvertAll(result, static r => r.Item), Array.ConvertAll(result, static r => r.Weight));
        }

        /// <summary>Orders the kept neighbours worst first: lower similarity, then higher item index.</summary>
        private sealed class WorstFirst : IComparer<(float Similarity, int Item)>
        {
            public static readonly WorstFirst Instance = new();

            public int Compare((float Similarity, int Item) x, (float Similarity, int Item) y) =>
                x.Similarity != y.Similarity ? x.Similarity.CompareTo(y.Similarity) : y.Item.CompareTo(x.Item);
        }

        private void Offer(int other, float similarity)
        {
            if (_best.Count < keep)
            {
                _best.Enqueue(other, (similarity, other));
                return;
            }

            _best.TryPeek(out _, out var worst);
            if (WorstFirst.Instance.Compare(worst, (similarity, other)) < 0)
            {
                _best.DequeueEnqueue(other, (similarity, other));
            }
        }
    }
}
