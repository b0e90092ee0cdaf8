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

    /// <summary>Builds the model; <paramref name="userSlots"/> and <paramref name="itemSlots"/> map a user or item to its row here (identity when null).</summary>
    public FactorModel ToModel(string algorithm, string parameters, InteractionDataset training, double mean, float[]? userFactorsOverride = null, int[]? userSlots = null, int[]? itemSlots = null)
    {
        var users = UserBias.Length;
        var items = ItemBias.Length;
        var userBias = new float[users];
        var itemBias = new float[items];
        var cold = new float[items];
        for (var u = 0; u < users; u++)
        {
            userBias[u] = UserBias[userSlots?[u] ?? u];
        }

        for (var i = 0; i < items; i++)
        {
            itemBias[i] = ItemBias[itemSlots?[i] ?? i];
            cold[i] = (float)(mean + itemBias[i]);
        }

        return new FactorModel(algorithm, parameters, TrainingFootprint.From(training), new FactorModelParts
        {
            Global = mean,
            UserBias = userBias,
            ItemBias = itemBias,
            Rank = Rank,
            UserFactors = Unpad(userFactorsOverride ?? P, users, userSlots),
            ItemFactors = Unpad(Q, items, itemSlots),
            ColdScores = cold,
        });
    }

    // Called once, when training is over: where the rows are not padded the state's own array is reordered in place
    // and becomes the model's (at 1 M users and rank 64 a copy would be 256 MB more at the peak).
    private float[] Unpad(float[] padded, int rows, int[]? slots)
    {
        if (Stride == Rank && padded.Length == rows * Rank)
        {
            if (slots is not null)
            {
                GatherRowsInPlace(padded, Rank, slots);
            }

            return padded;
        }

        var result = new float[rows * Rank];
        for (var r = 0; r < rows; r++)
        {
            padded.AsSpan((slots?[r] ?? r) * Stride, Rank).CopyTo(result.AsSpan(r * Rank, Rank));
        }

        return result;
    }

    /// <summary>Reorders rows so that row r becomes the old row <c>slots[r]</c>, following the permutation's cycles with one spare row.</summary>
    internal static void GatherRowsInPlace(float[] rows, int width, int[] slots)
    {
        var done = new bool[slots.Length];
        var spare = new float[width];
        for (var start = 0; start < slots.Length; start++)
        {
            if (done[start])
            {
                continue;
            }

            rows.AsSpan(start * width, width).CopyTo(spare);
            var r = start;
            while (true)
            {
                done[r] = true;
                var source = slots[r];
                if (source == start)
                {
                    spare.CopyTo(rows.AsSpan(r * width, width));
                    break;
                }

                rows.AsSpan(source * width, width).CopyTo(rows.AsSpan(r * width, width));
                r = source;
            }
        }
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
        var sum = 0.0;
        var values = data.RowValues;
        if (rows is null)
        {
            foreach (var value in values)
            {
                sum += value;
            }

            return sum / values.Length;
        }

        foreach (var row in rows)
        {
            sum += values[row];
        }

        return sum / rows.Length;
    }

    public static double ValidationRmse(InteractionDataset data, int[] rows, Func<int, int, float> predict)
    {
        var sum = 0.0;
        foreach (var row in rows)
        {
            var prediction = Math.Clamp(predict(data.RowUsers[row], data.RowItems[row]), data.MinValue, data.MaxValue);
            var error = prediction - data.RowValues[row];
            sum += error * error;
        }

        return Math.Sqrt(sum / rows.Length);
    }
}

/// <summary>
/// One block of the SGD grid: its ratings as packed keys (user and item offsets from the block's first rows, and
/// the rating's level when the data has few distinct values), in user order.
/// </summary>
internal readonly struct SgdBlock(uint[] keys, float[]? ratings, int userBase, int itemBase)
{
    /// <summary>Gets the packed ratings: <c>user offset &lt;&lt; (ItemBits + LevelBits) | item offset &lt;&lt; LevelBits | level</c>.</summary>
    public uint[] Keys { get; } = keys;

    /// <summary>Gets every rating's value when the data has too many distinct values for levels (else null).</summary>
    public float[]? Ratings { get; } = ratings;

    public int UserBase { get; } = userBase;

    public int ItemBase { get; } = itemBase;
}

/// <summary>
/// The stratified schedule (as LIBMF's): users and items get rows in a seeded random order, cut into G contiguous
/// groups each (G at least 20 where the data allows, independent of the thread count); ratings are bucketed into the
/// G×G blocks, each holding its ratings in user order, so a block touches one group's factor rows (a few megabytes at
/// 100 M ratings) and reuses each user's row across that user's ratings. An epoch visits the G "diagonals"
/// {(g, (g + s) mod G)} in a seeded random order; the G blocks of a diagonal share no user or item group, so the
/// threads take them in any order and the result does not depend on the scheduling.
/// </summary>
/// <remarks>
/// A rating is stored in 4 bytes (LIBMF uses 12): the user's and the item's offset within their groups and, when the
/// data has at most 256 distinct values (star ratings, implicit counts), the index of its value in a table of levels —
/// exact, not a rounding. Otherwise the values are kept beside the keys as floats (8 bytes a rating). G grows past 20
/// when the groups are too large for the offsets to fit in 32 bits.
/// </remarks>
internal sealed class SgdBlocks
{
    private const int MinGroups = 20;
    private const int MaxLevels = 256;
    private readonly SgdBlock[] _blocks;
    private readonly int _groups;
    private readonly int _threads;
    private readonly ulong _seed;

    public SgdBlocks(InteractionDataset data, int[]? rows, int threads, ulong seed)
    {
        var users = data.Users.Count;
        var items = data.Items.Count;
        _threads = Math.Max(1, Math.Min(threads, Math.Min(users, items)));
        _seed = seed;
        bool[]? included = null;
        if (rows is not null)
        {
            included = new bool[data.Count];
            foreach (var row in rows)
            {
                included[row] = true;
            }
        }

        var values = data.RowValues;
        Levels = FindLevels(values, included);
        var levelBits = Levels is null ? 0 : Bits(Levels.Length);
        (_groups, UserBits, ItemBits) = ChooseGroups(users, items, levelBits);
        if (_groups == 0)
        {
            Levels = null;
            levelBits = 0;
            (_groups, UserBits, ItemBits) = ChooseGroups(users, items, 0);
        }

        LevelBits = levelBits;
        var g = _groups;
        UserSlots = Slots(users, seed, 3, out var userOrder);
        ItemSlots = Slots(items, seed, 4, out _);
        int UserGroup(int user) => (int)((long)UserSlots[user] * g / users);

        // Each item's group and its part of a key, once per item rather than twice per rating.
        var itemShift = LevelBits;
        var userShift = ItemBits + LevelBits;
        var itemGroups = new int[items];
        var itemKeys = new uint[items];
        for (var item = 0; item < items; item++)
        {
            var group = (int)((long)ItemSlots[item] * g / items);
            itemGroups[item] = group;
            itemKeys[item] = (uint)(ItemSlots[item] - GroupStart(group, g, items)) << itemShift;
        }

        var offsets = data.UserOffsets;
        var rowItems = data.RowItems;
        var counts = new int[g * g];
        for (var user = 0; user < users; user++)
        {
            var userGroup = UserGroup(user) * g;
            for (var row = offsets[user]; row < offsets[user + 1]; row++)
            {
                if (included is null || included[row])
                {
                    counts[userGroup + itemGroups[rowItems[row]]]++;
                }
            }
        }

        var keys = new uint[g * g][];
        var ratings = Levels is null ? new float[g * g][] : null;
        for (var b = 0; b < keys.Length; b++)
        {
            keys[b] = new uint[counts[b]];
            ratings?[b] = new float[counts[b]];
            counts[b] = 0;
        }

        // Users in slot order: each block receives its ratings in user order.
        foreach (var user in userOrder)
        {
            var userGroup = UserGroup(user);
            var userOffset = (uint)(UserSlots[user] - GroupStart(userGroup, g, users));
            for (var row = offsets[user]; row < offsets[user + 1]; row++)
            {
                if (included is null || included[row])
                {
                    var item = rowItems[row];
                    var b = (userGroup * g) + itemGroups[item];
                    var key = (userOffset << userShift) | itemKeys[item];
                    if (Levels is not null)
                    {
                        key |= (uint)Array.BinarySearch(Levels, values[row]);
                    }
                    else
                    {
                        ratings![b][counts[b]] = values[row];
                    }

                    keys[b][counts[b]++] = key;
                }
            }
        }

        _blocks = new SgdBlock[g * g];
        for (var b = 0; b < _blocks.Length; b++)
        {
            _blocks[b] = new SgdBlock(keys[b], ratings?[b], GroupStart(b / g, g, users), GroupStart(b % g, g, items));
        }
    }

    /// <summary>
    /// The row of every user in the training state: a seeded permutation whose contiguous ranges are the user
    /// groups, so threads write disjoint memory ranges (no false sharing).
    /// </summary>
    public int[] UserSlots { get; }

    /// <summary>The row of every item in the training state (see <see cref="UserSlots"/>).</summary>
    public int[] ItemSlots { get; }

    /// <summary>Gets the distinct rating values, ascending, when a key holds its rating's index here; otherwise null.</summary>
    public float[]? Levels { get; }

    /// <summary>Gets the bits of a key holding the level (0 without levels).</summary>
    public int LevelBits { get; }

    /// <summary>Gets the bits of a key holding the item offset.</summary>
    public int ItemBits { get; }

    /// <summary>Gets the bits of a key holding the user offset.</summary>
    public int UserBits { get; }

    /// <summary>Gets the number of user groups (and of item groups).</summary>
    public int Groups => _groups;

    /// <summary>Runs one epoch; returns the sum of what <paramref name="work"/> returned, added in a fixed order.</summary>
    public double RunEpoch(int epoch, Func<SgdBlock, double> work)
    {
        var g = _groups;
        var diagonals = new int[g];
        for (var s = 0; s < g; s++)
        {
            diagonals[s] = s;
        }

        RandomSource.ForStream(_seed, 1000 + (ulong)epoch).Shuffle(diagonals.AsSpan());
        var partial = new double[g];
        var total = 0.0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _threads };
        foreach (var diagonal in diagonals)
        {
            if (_threads == 1)
            {
                for (var group = 0; group < g; group++)
                {
                    partial[group] = work(_blocks[(group * g) + ((group + diagonal) % g)]);
                }
            }
            else
            {
                Parallel.For(0, g, parallel, group => partial[group] = work(_blocks[(group * g) + ((group + diagonal) % g)]));
            }

            foreach (var value in partial)
            {
                total += value;
            }
        }

        return total;
    }

    /// <summary>The first slot of group <paramref name="group"/> of <paramref name="count"/> slots cut into <paramref name="groups"/>: the smallest s with s·G/n ≥ group.</summary>
    internal static int GroupStart(int group, int groups, int count) => (int)((((long)group * count) + groups - 1) / groups);

    /// <summary>Bits needed to hold 0 … <paramref name="values"/> − 1.</summary>
    internal static int Bits(long values) => values <= 1 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(values - 1));

    /// <summary>
    /// The fewest groups (at least 20 where there are that many users and items) whose user and item offsets fit in
    /// 32 bits beside <paramref name="levelBits"/>; (0, 0, 0) when none do.
    /// </summary>
    internal static (int Groups, int UserBits, int ItemBits) ChooseGroups(int users, int items, int levelBits)
    {
        var most = Math.Max(1, Math.Min(users, items));
        for (var g = Math.Min(MinGroups, most); g <= most; g = g == most ? most + 1 : Math.Min(most, g + Math.Max(1, g / 4)))
        {
            var userBits = Bits(((long)users + g - 1) / g);
            var itemBits = Bits(((long)items + g - 1) / g);
            if (userBits + itemBits + levelBits <= 32)
            {
                return (g, userBits, itemBits);
            }
        }

        return (0, 0, 0);
    }

    // The distinct values of the included rows, ascending, or null when there are more than MaxLevels.
    private static float[]? FindLevels(ReadOnlySpan<float> values, bool[]? included)
    {
        var seen = new HashSet<float>();
        for (var row = 0; row < values.Length; row++)
        {
            if ((included is null || included[row]) && seen.Add(values[row]) && seen.Count > MaxLevels)
            {
                return null;
            }
        }

        var levels = seen.ToArray();
        Array.Sort(levels);
        return levels;
    }

    private static int[] Slots(int count, ulong seed, ulong stream, out int[] order)
    {
        order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        var random = RandomSource.ForStream(seed, stream);
        random.Shuffle(order.AsSpan());
        var slot = new int[count];
        for (var position = 0; position < count; position++)
        {
            slot[order[position]] = position;
        }

        return slot;
    }
}
