using Recsys.Data;
using Recsys.Numerics;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>Biases and padded factor rows of an SGD model.</summary>
internal sealed class SgdState
{
    public SgdState(int users, int items, int stride, int rank, double deviation, ulong seed)
    {
        Stride = stride;
        Rank = rank;
        P = new float[users * stride];
        Q = new float[items * stride];
        UserBias = new float[users];
        ItemBias = new float[items];
        var random = RandomSource.ForStream(seed, 1);
        Fill(P, users, ref random, deviation);
        Fill(Q, items, ref random, deviation);
    }

    private SgdState(SgdState other)
    {
        Stride = other.Stride;
        Rank = other.Rank;
        P = (float[])other.P.Clone();
        Q = (float[])other.Q.Clone();
        UserBias = (float[])other.UserBias.Clone();
        ItemBias = (float[])other.ItemBias.Clone();
    }

    public int Stride { get; }

    public int Rank { get; }

    public float[] P { get; }

    public float[] Q { get; }

    public float[] UserBias { get; }

    public float[] ItemBias { get; }

    public SgdState Clone() => new(this);

    /// <summary>Builds the model.</summary>
    public FactorModel ToModel(string algorithm, string parameters, InteractionDataset training, double mean, float[]? userFactorsOverride = null) =>
        ToModel(algorithm, parameters, TrainingFootprint.From(training), mean, userFactorsOverride);

    /// <summary>Builds the model on a footprint of its own.</summary>
    public FactorModel ToModel(string algorithm, string parameters, TrainingFootprint footprint, double mean, float[]? userFactorsOverride = null)
    {
        var users = UserBias.Length;
        var items = ItemBias.Length;
        var cold = new float[items];
        for (var i = 0; i < items; i++)
        {
            cold[i] = (float)(mean + ItemBias[i]);
        }

        return new FactorModel(algorithm, parameters, footprint, new FactorModelParts
        {
            Global = mean,
            UserBias = UserBias,
            ItemBias = ItemBias,
            Rank = Rank,
            UserFactors = Unpad(userFactorsOverride ?? P, users),
            ItemFactors = Unpad(Q, items),
            ColdScores = cold,
        });
    }

    // Called once, when training is over: where the rows are not padded the state's own array becomes the model's (at
    // 1 M users and rank 64 a copy would be 256 MB more at the peak).
    private float[] Unpad(float[] padded, int rows)
    {
        if (Stride == Rank && padded.Length == rows * Rank)
        {
            return padded;
        }

        var result = new float[rows * Rank];
        for (var r = 0; r < rows; r++)
        {
            padded.AsSpan(r * Stride, Rank).CopyTo(result.AsSpan(r * Rank, Rank));
        }

        return result;
    }

    private void Fill(float[] factors, int rows, ref RandomSource random, double deviation)
    {
        for (var r = 0; r < rows; r++)
        {
            for (var f = 0; f < Rank; f++)
            {
                factors[(r * Stride) + f] = (float)(random.NextGaussian() * deviation);
            }
        }
    }
}

/// <summary>Keeps the best state seen on the validation slice and says when to stop.</summary>
internal sealed class EarlyStopping(int patience)
{
    private double _bestRmse = double.PositiveInfinity;
    private int _since;

    public SgdState? Best { get; private set; }

    /// <summary>Records an epoch's validation RMSE; returns true when training should stop.</summary>
    public bool Observe(double rmse, SgdState state)
    {
        if (rmse < _bestRmse)
        {
            _bestRmse = rmse;
            Best = state.Clone();
            _since = 0;
            return false;
        }

        return ++_since >= patience;
    }
}

internal static class SgdSetup
{
    /// <summary>
    /// Splits the rows into training and validation rows. Without validation the training rows are all rows and
    /// <c>Train</c> is <see langword="null"/>: no row index array at all (4 bytes a rating at 100 M ratings).
    /// </summary>
    public static (int[]? Train, int[] Validation, int TrainCount) SplitRows(InteractionDataset data, double validationFraction, ulong seed)
    {
        if (validationFraction <= 0)
        {
            return (null, [], data.Count);
        }

        var rows = new int[data.Count];
        for (var r = 0; r < rows.Length; r++)
        {
            rows[r] = r;
        }

        var random = RandomSource.ForStream(seed, 2);
        random.Shuffle(rows.AsSpan());
        var validation = (int)Math.Round(validationFraction * rows.Length);
        return (rows[validation..], rows[..validation], rows.Length - validation);
    }

    /// <summary>The mean value of the given rows, or of all rows when <paramref name="rows"/> is null (the μ of the SGD models, fitted on the training rows only).</summary>
    public static double Mean(InteractionDataset data, int[]? rows)
    {
        if (rows is null)
        {
            return data.GlobalMean; // the same sum, in the same row order
        }

        var sum = 0.0;
        foreach (var row in rows)
        {
            sum += data.GetValue(row);
        }

        return sum / rows.Length;
    }

    public static double ValidationRmse(InteractionDataset data, int[] rows, Func<int, int, float> predict)
    {
        var sum = 0.0;
        foreach (var row in rows)
        {
            var prediction = Math.Clamp(predict(data.RowUsers[row], data.RowItems[row]), data.MinValue, data.MaxValue);
            var error = prediction - data.GetValue(row);
            sum += error * error;
        }

        return Math.Sqrt(sum / rows.Length);
    }
}

/// <summary>
/// The stratified schedule (as LIBMF's), run on the dataset's own rows: users and items are cut into G contiguous
/// index ranges of about equal rating counts, and block (u, i) holds the ratings of user group u's users with items in
/// item group i. A user's rows are sorted by item, so a block is one contiguous run of each of its users' rows, found in
/// a table of G + 1 bounds a user: no copy of the ratings is made (LIBMF keeps 12 bytes a rating). An epoch visits the
/// G "diagonals" {(g, (g + s) mod G)} in a seeded random order; the G blocks of a diagonal share no user or item group,
/// so the threads take them in any order and the result does not depend on the scheduling.
/// </summary>
/// <remarks>
/// Every block visits each of its users once, so fewer groups are cheaper: at 30 M ratings (300 k users, 40 k items,
/// rank 64, 2 threads) a fit took 6.5 s with 2 groups, 6.9 s with 4, 9.1 s with 8. More, smaller blocks mix the order
/// of the updates better: on ml-latest-small's fixed split the RMSE over model seeds 1–10 was 0.8612 ± 0.0010 with 2
/// groups, 0.8603 with 10, 0.8597 ± 0.0008 with 20. So below <see cref="SmallData"/> ratings (a fit of seconds) G is
/// 20; above, the thread count, or more when an item group's factor rows would pass <see cref="ItemGroupBytes"/> (a
/// share of the last-level cache: the item rows are what a block reads at random), at most 20.
/// </remarks>
internal sealed class SgdGrid
{
    private const int MaxGroups = 20;
    private const int SmallData = 5_000_000;
    private const long ItemGroupBytes = 16L << 20;
    private readonly int _groups;
    private readonly int _threads;
    private readonly ulong _seed;
    private readonly int _users;
    private readonly int[] _userGroups;
    private readonly int[] _bounds;

    /// <summary>Lays out the grid; the rows in <paramref name="excludedRows"/> (validation rows) are skipped by every epoch.</summary>
    public SgdGrid(InteractionDataset data, int[] excludedRows, int threads, int stride, ulong seed)
    {
        var users = data.Users.Count;
        var items = data.Items.Count;
        _users = users;
        _threads = Math.Max(1, Math.Min(threads, Math.Min(users, items)));
        _seed = seed;
        _groups = GroupCount(data.Count, users, items, _threads, stride);
        var g = _groups;
        var offsets = data.UserOffsets;
        var rowItems = data.RowItems;

        var userCounts = new long[users];
        for (var u = 0; u < users; u++)
        {
            userCounts[u] = offsets[u + 1] - offsets[u];
        }

        var itemCounts = new long[items];
        foreach (var item in rowItems)
        {
            itemCounts[item]++;
        }

        _userGroups = Cut(userCounts, g);
        var itemGroups = Cut(itemCounts, g);

        // Row bounds of every (item group, user), group by group so that a block reads its users' bounds in order:
        // bounds[k * users + u] is the first row of user u whose item is in group k or later (k = G: the user's end).
        var length = (long)users * (g + 1);
        if (length > Array.MaxLength)
        {
            throw new InvalidOperationException($"{users:N0} users in {g} groups need more row bounds than an array holds.");
        }

        _bounds = new int[length];
        for (var u = 0; u < users; u++)
        {
            var row = offsets[u];
            var end = offsets[u + 1];
            for (var k = 0; k < g; k++)
            {
                while (row < end && rowItems[row] < itemGroups[k])
                {
                    row++;
                }

                _bounds[(k * users) + u] = row;
            }

            _bounds[(g * users) + u] = end;
        }

        if (excludedRows.Length > 0)
        {
            Excluded = new ulong[(data.Count + 63) / 64];
            foreach (var row in excludedRows)
            {
                Excluded[row >> 6] |= 1UL << row;
            }
        }
    }

    /// <summary>Gets the rows every epoch skips, one bit a row, or null when none is.</summary>
    public ulong[]? Excluded { get; }

    /// <summary>The first and last-plus-one row of user <paramref name="user"/>'s ratings of items in group <paramref name="itemGroup"/>.</summary>
    public (int Start, int End) Rows(int user, int itemGroup)
    {
        var at = (itemGroup * _users) + user;
        return (_bounds[at], _bounds[at + _users]);
    }

    /// <summary>Gets the first user of user group <paramref name="group"/> and the first of the next.</summary>
    public (int Start, int End) Users(int group) => (_userGroups[group], _userGroups[group + 1]);

    /// <summary>Runs one epoch: <paramref name="work"/> gets (user group, item group); returns the sum of what it returned, added in a fixed order.</summary>
    public double RunEpoch(int epoch, Func<int, int, double> work) => RunEpoch(_groups, _threads, _seed, epoch, work);

    /// <summary>
    /// The stratified schedule of G × G blocks: the G diagonals {(g, (g + s) mod G)} in an order drawn from the seed
    /// and the epoch, the blocks of a diagonal on up to <paramref name="threads"/> threads; the sum of what
    /// <paramref name="work"/> returned, added in a fixed order.
    /// </summary>
    internal static double RunEpoch(int groups, int threads, ulong seed, int epoch, Func<int, int, double> work)
    {
        var g = groups;
        var diagonals = new int[g];
        for (var s = 0; s < g; s++)
        {
            diagonals[s] = s;
        }

        RandomSource.ForStream(seed, 1000 + (ulong)epoch).Shuffle(diagonals.AsSpan());
        var partial = new double[g];
        var total = 0.0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        foreach (var diagonal in diagonals)
        {
            if (threads == 1)
            {
                for (var group = 0; group < g; group++)
                {
                    partial[group] = work(group, (group + diagonal) % g);
                }
            }
            else
            {
                Parallel.For(0, g, parallel, group => partial[group] = work(group, (group + diagonal) % g));
            }

            foreach (var value in partial)
            {
                total += value;
            }
        }

        return total;
    }

    /// <summary>
    /// The number of groups: 20 below <see cref="SmallData"/> ratings; above, the thread count, or more when an item
    /// group's factor rows would pass <see cref="ItemGroupBytes"/>, at most 20; never more than the users or items.
    /// </summary>
    internal static int GroupCount(long ratings, int users, int items, int threads, int stride)
    {
        var byCache = (int)Math.Min(MaxGroups, (((long)items * stride * sizeof(float)) + ItemGroupBytes - 1) / ItemGroupBytes);
        var wanted = ratings < SmallData ? MaxGroups : Math.Max(threads, byCache);
        return Math.Max(1, Math.Min(wanted, Math.Min(users, items)));
    }

    /// <summary>
    /// Cuts 0 … counts.Length − 1 into <paramref name="groups"/> contiguous ranges of about equal total count: the
    /// first index of every range, and counts.Length last. A range may be empty when one index outweighs a group.
    /// </summary>
    internal static int[] Cut(long[] counts, int groups)
    {
        long total = 0;
        foreach (var count in counts)
        {
            total += count;
        }

        var starts = new int[groups + 1];
        long sum = 0;
        var next = 1;
        for (var index = 0; index < counts.Length && next < groups; index++)
        {
            sum += counts[index];
            while (next < groups && sum * groups >= total * next)
            {
                starts[next++] = index + 1;
            }
        }

        while (next <= groups)
        {
            starts[next++] = counts.Length;
        }

        return starts;
    }
}
