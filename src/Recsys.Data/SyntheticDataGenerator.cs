using System.Globalization;
using Recsys.Numerics;

namespace Recsys.Data;

/// <summary>
/// Generates a deterministic synthetic rating dataset of any size, from a thousand to a hundred million
/// interactions: power-law user activity and item popularity, and ratings on the 0.5–5 half-star scale drawn from
/// a hidden biased latent-factor model plus noise, so factorization models have real structure to learn.
/// </summary>
/// <remarks>
/// User <c>u</c> has the id <c>(u+1).ToString()</c>, item <c>i</c> the id <c>(i+1).ToString()</c>. Each user's
/// interactions come from a random stream of its own, so the output depends on the options alone. Memory use is
/// O(users + items × factors) besides what the sink keeps.
/// </remarks>
public sealed class SyntheticDataGenerator
{
    private const double GlobalMean = 3.5;
    private const double UserBiasDeviation = 0.35;
    private const double ItemBiasDeviation = 0.45;
    private const long MaxGapSeconds = 3 * 24 * 3600;
    private const long StartSpreadSeconds = 3L * 365 * 24 * 3600;

    private readonly SyntheticDataOptions _options;

    /// <summary>Initializes a new instance of the <see cref="SyntheticDataGenerator"/> class.</summary>
    /// <param name="options">The settings; validated here.</param>
    public SyntheticDataGenerator(SyntheticDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>Generates the default synthetic dataset (<see cref="SyntheticDataOptions"/> defaults: 1,000 users, 2,000 items, 100,000 ratings, seed 42).</summary>
    /// <returns>The dataset.</returns>
    public static InteractionDataset CreateDefault() => new SyntheticDataGenerator(new SyntheticDataOptions()).GenerateDataset();

    /// <summary>Generates the interactions into a sink, user by user.</summary>
    /// <typeparam name="TSink">The sink type; a struct sink is called without virtual dispatch.</typeparam>
    /// <param name="sink">The sink.</param>
    /// <param name="cancellationToken">Checked between users.</param>
    public void Generate<TSink>(ref TSink sink, CancellationToken cancellationToken = default)
        where TSink : IInteractionSink
    {
        var o = _options;
        var rank = o.Factors;
        var factorDeviation = Math.Pow(0.6 / rank, 0.25);

        var setup = RandomSource.ForStream(o.Seed, ulong.MaxValue);
        var itemCdf = PowerLawCdf(o.Items, o.ItemPopularityExponent, ref setup);
        var itemFactors = new float[o.Items * rank];
        var itemBias = new float[o.Items];
        for (var i = 0; i < o.Items; i++)
        {
            itemBias[i] = (float)(setup.NextGaussian() * ItemBiasDeviation);
            for (var f = 0; f < rank; f++)
            {
                itemFactors[(i * rank) + f] = (float)(setup.NextGaussian() * factorDeviation);
            }
        }

        var counts = UserCounts(ref setup);
        var userFactors = new float[rank];
        var chosenBy = new int[o.Items];
        Array.Fill(chosenBy, -1);

        for (var u = 0; u < o.Users; u++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var random = RandomSource.ForStream(o.Seed, (ulong)u);
            var userBias = random.NextGaussian() * UserBiasDeviation;
            for (var f = 0; f < rank; f++)
            {
                userFactors[f] = (float)(random.NextGaussian() * factorDeviation);
            }

            var timestamp = o.StartTimestamp + (long)(random.NextDouble() * StartSpreadSeconds);
            var need = counts[u];
            var attempts = 0L;
            var scan = -1;
            for (var k = 0; k < need; k++)
            {
                int item;
                if (attempts < 20L * need)
                {
                    do
                    {
                        item = SampleCdf(itemCdf, random.NextDouble());
                        attempts++;
                    }
                    while (chosenBy[item] == u && attempts < 20L * need);
                }
                else
                {
                    item = -1;
                }

                if (item < 0 || chosenBy[item] == u)
                {
                    // The user's row is nearly full: take the next free item in a fixed scan.
                    if (scan < 0)
                    {
                        scan = random.Next(o.Items);
                    }

                    while (chosenBy[scan] == u)
                    {
                        scan = (scan + 1) % o.Items;
                    }

                    item = scan;
                }

                chosenBy[item] = u;
                var dot = 0.0;
                for (var f = 0; f < rank; f++)
                {
                    dot += userFactors[f] * itemFactors[(item * rank) + f];
                }

                var raw = GlobalMean + userBias + itemBias[item] + dot + (random.NextGaussian() * o.Noise);
                var rating = (float)Math.Clamp(Math.Round(raw * 2, MidpointRounding.AwayFromZero) / 2, 0.5, 5.0);
                timestamp += 1 + (long)(random.NextDouble() * MaxGapSeconds);
                sink.Add(u, item, rating, timestamp);
            }
        }
    }

    /// <summary>Generates the interactions into a dataset.</summary>
    /// <param name="cancellationToken">Checked between users.</param>
    /// <returns>The dataset.</returns>
    public InteractionDataset GenerateDataset(CancellationToken cancellationToken = default)
    {
        var builder = new InteractionDatasetBuilder(_options.Interactions);
        for (var u = 1; u <= _options.Users; u++)
        {
            builder.AddUser(u.ToString(CultureInfo.InvariantCulture));
        }

        for (var i = 1; i <= _options.Items; i++)
        {
            builder.AddItem(i.ToString(CultureInfo.InvariantCulture));
        }

        var sink = new BuilderSink(builder);
        Generate(ref sink, cancellationToken);
        return builder.Build();
    }

    /// <summary>Writes the interactions as MovieLens <c>ratings.csv</c> text (<c>userId,movieId,rating,timestamp</c>), streaming.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="progress">Receives the number of rows written so far, every 100,000 rows and at the end; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Checked between users.</param>
    public void WriteCsv(TextWriter writer, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("userId,movieId,rating,timestamp\n");
        var sink = new ProgressSink<CsvSink>(new CsvSink(writer), progress);
        Generate(ref sink, cancellationToken);
        progress?.Report(sink.Count);
    }

    /// <summary>Writes the data set as a Snappy-compressed Parquet file with the columns of MovieLens <c>ratings.csv</c> (<c>userId</c>, <c>movieId</c> int32, <c>rating</c> float, <c>timestamp</c> int64; the ids and values of <see cref="WriteCsv"/>), one row group per 1,048,576 rows.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="progress">Receives the number of rows written so far, every 100,000 rows and at the end; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the generation.</param>
    public void WriteParquet(string path, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var writer = new Internal.Columnar.ParquetRatingsWriter(path);
        var sink = new ProgressSink<Internal.Columnar.ParquetRatingsWriter>(writer, progress);
        Generate(ref sink, cancellationToken);
        progress?.Report(sink.Count);
    }

    /// <summary>
    /// Writes the interactions to a file, and optionally a held-out share of them to a second file: each interaction
    /// goes to <paramref name="testPath"/> with probability <paramref name="testFraction"/>, drawn from a stream of
    /// the options' seed that is independent of the data (the same options and fraction give the same two files, in
    /// either format). A path ending in <c>.parquet</c> is written as <see cref="WriteParquet"/> does, any other as
    /// <see cref="WriteCsv"/> does.
    /// </summary>
    /// <param name="path">The file that receives the interactions not held out.</param>
    /// <param name="testPath">The file that receives the held-out interactions, or <see langword="null"/> to hold none out.</param>
    /// <param name="testFraction">The share held out, in [0, 1); 0 when <paramref name="testPath"/> is <see langword="null"/>.</param>
    /// <param name="progress">Receives the number of interactions written so far (both files), every 100,000 and at the end; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the generation.</param>
    public void WriteSplit(string path, string? testPath, double testFraction, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (testPath is null)
        {
            if (testFraction != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "A test fraction needs a test file to write to.");
            }
        }
        else if (!(testFraction >= 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be at least 0 and less than 1.");
        }
        else if (Path.GetFullPath(testPath) == Path.GetFullPath(path))
        {
            throw new ArgumentException($"The test file must differ from the training file ('{path}').", nameof(testPath));
        }

        using var train = FileSink.Create(path);
        using var test = testPath is null ? null : FileSink.Create(testPath);
        var sink = new ProgressSink<SplitSink>(new SplitSink(train, test, testFraction, RandomSource.ForStream(_options.Seed, 0x7E57)), progress);
        Generate(ref sink, cancellationToken);
        progress?.Report(sink.Count);
    }

    private int[] UserCounts(ref RandomSource random)
    {
        var o = _options;
        var weights = PowerLawWeights(o.Users, o.UserActivityExponent, ref random);
        var counts = new int[o.Users];
        var share = new double[o.Users];
        var capped = new bool[o.Users];
        double free = o.Interactions - o.Users;

        // Water-filling: every user gets 1 plus a power-law share of the rest, at most one interaction per item.
        for (var round = 0; round < 64 && free > 0.5; round++)
        {
            var weightSum = 0.0;
            for (var u = 0; u < o.Users; u++)
            {
                weightSum += capped[u] ? 0 : weights[u];
            }

            var overflow = 0.0;
            for (var u = 0; u < o.Users; u++)
            {
                if (capped[u])
                {
                    continue;
                }

                share[u] += free * weights[u] / weightSum;
                if (share[u] >= o.Items - 1)
                {
                    overflow += share[u] - (o.Items - 1);
                    share[u] = o.Items - 1;
                    capped[u] = true;
                }
            }

            free = overflow;
        }

        long total = 0;
        for (var u = 0; u < o.Users; u++)
        {
            counts[u] = 1 + (int)share[u];
            total += counts[u];
        }

        // Hand out what flooring left over, one at a time, in a seeded order.
        var order = new int[o.Users];
        for (var u = 0; u < order.Length; u++)
        {
            order[u] = u;
        }

        random.Shuffle(order.AsSpan());
        for (var pass = 0; total < o.Interactions; pass++)
        {
            foreach (var u in order)
            {
                if (total == o.Interactions)
                {
                    break;
                }

                if (counts[u] < o.Items)
                {
                    counts[u]++;
                    total++;
                }
            }
        }

        return counts;
    }

    private static double[] PowerLawWeights(int n, double exponent, ref RandomSource random)
    {
        // Popularity ranks are shuffled over the indices so that popular items are spread over the id range.
        var ranks = new int[n];
        for (var i = 0; i < n; i++)
        {
            ranks[i] = i;
        }

        random.Shuffle(ranks.AsSpan());
        var weights = new double[n];
        for (var i = 0; i < n; i++)
        {
            weights[i] = Math.Pow(ranks[i] + 1, -exponent);
        }

        return weights;
    }

    private static double[] PowerLawCdf(int n, double exponent, ref RandomSource random)
    {
        var weights = PowerLawWeights(n, exponent, ref random);
        var cdf = new double[n];
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            sum += weights[i];
            cdf[i] = sum;
        }

        for (var i = 0; i < n; i++)
        {
            cdf[i] /= sum;
        }

        cdf[n - 1] = 1.0;
        return cdf;
    }

    private static int SampleCdf(double[] cdf, double u)
    {
        var index = Array.BinarySearch(cdf, u);
        index = index < 0 ? ~index : index + 1;
        return Math.Min(index, cdf.Length - 1);
    }

    private readonly struct BuilderSink(InteractionDatasetBuilder builder) : IInteractionSink
    {
        public void Add(int user, int item, float value, long timestamp) => builder.Add(user, item, value, timestamp);
    }

    // Counts what passes to the inner sink and reports every 100,000 rows.
    private struct ProgressSink<TSink>(TSink inner, IProgress<long>? progress) : IInteractionSink
        where TSink : IInteractionSink
    {
#pragma warning disable IDE0044 // not readonly: a struct sink may change as it is called
        private TSink _inner = inner;
#pragma warning restore IDE0044

        public long Count { get; private set; }

        public void Add(int user, int item, float value, long timestamp)
        {
            _inner.Add(user, item, value, timestamp);
            if (++Count % 100_000 == 0)
            {
                progress?.Report(Count);
            }
        }
    }

    // Sends each interaction to the test sink with probability `fraction`, else to the training sink.
    private struct SplitSink(FileSink train, FileSink? test, double fraction, RandomSource random) : IInteractionSink
    {
        private RandomSource _random = random;

        public void Add(int user, int item, float value, long timestamp)
        {
            if (test is not null && _random.NextDouble() < fraction)
            {
                test.Add(user, item, value, timestamp);
            }
            else
            {
                train.Add(user, item, value, timestamp);
            }
        }
    }

    // A file being written, as CSV or (by its extension) Parquet.
    private sealed class FileSink : IInteractionSink, IDisposable
    {
        private readonly Internal.Columnar.ParquetRatingsWriter? _parquet;
        private readonly StreamWriter? _csv;

        private FileSink(Internal.Columnar.ParquetRatingsWriter? parquet, StreamWriter? csv) => (_parquet, _csv) = (parquet, csv);

        public static FileSink Create(string path)
        {
            if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            {
                return new FileSink(new Internal.Columnar.ParquetRatingsWriter(path), null);
            }

            var csv = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 16);
            csv.Write("userId,movieId,rating,timestamp\n");
            return new FileSink(null, csv);
        }

        public void Add(int user, int item, float value, long timestamp)
        {
            if (_parquet is not null)
            {
                _parquet.Add(user, item, value, timestamp);
            }
            else
            {
                new CsvSink(_csv!).Add(user, item, value, timestamp);
            }
        }

        public void Dispose()
        {
            _parquet?.Dispose();
            _csv?.Dispose();
        }
    }

    private readonly struct CsvSink(TextWriter writer) : IInteractionSink
    {
        public void Add(int user, int item, float value, long timestamp)
        {
            Span<char> buffer = stackalloc char[64];
            var ok = buffer.TryWrite(CultureInfo.InvariantCulture, $"{user + 1},{item + 1},{value:0.0},{timestamp}\n", out var written);
            if (!ok)
            {
                throw new InvalidOperationException("A generated line did not fit its buffer.");
            }

            writer.Write(buffer[..written]);
        }
    }
}
