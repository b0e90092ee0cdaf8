using Recsys.Data;
using Recsys.Numerics;
using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>One training rating of an SGD block.</summary>
internal readonly record struct SgdEntry(int User, int Item, float Rating);

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
/// The stratified schedule (as LIBMF's): users and items get rows in a seeded random order, cut into G contiguous
/// groups each (G up to 20, independent of the thread count); ratings are bucketed into the G×G blocks, each holding
/// its ratings in user order, so a block touches one group's factor rows (a few megabytes at 100 M ratings) and
/// reuses each user's row across that user's ratings. An epoch visits the G "diagonals" {(g, (g + s) mod G)} in a
/// seeded random order; the G blocks of a diagonal share no user or item group, so the threads take them in any order
/// and the result does not depend on the scheduling. Entries hold the rows, not the original indices.
/// </summary>
internal sealed class SgdBlocks
{
    private const int MaxGroups = 20;
    private readonly SgdEntry[][] _blocks;
    private readonly int _groups;
    private readonly int _threads;
    private readonly ulong _seed;

    public SgdBlocks(InteractionDataset data, int[]? rows, int threads, ulong seed)
    {
        var users = data.Users.Count;
        var items = data.Items.Count;
        _threads = Math.Max(1, Math.Min(threads, Math.Min(users, items)));
        _groups = Math.Max(1, Math.Min(MaxGroups, Math.Min(users, items)));
        _seed = seed;
        var g = _groups;
        UserSlots = Slots(users, seed, 3, out var userOrder);
        ItemSlots = Slots(items, seed, 4, out _);
        int UserGroup(int user) => (int)((long)UserSlots[user] * g / users);
        int ItemGroup(int item) => (int)((long)ItemSlots[item] * g / items);
        bool[]? included = null;
        if (rows is not null)
        {
            included = new bool[data.Count];
            foreach (var row in rows)
            {
                included[row] = true;
            }
        }

        var offsets = data.UserOffsets;
        var rowItems = data.RowItems;
        var values = data.RowValues;
        var counts = new int[g * g];
        for (var user = 0; user < users; user++)
        {
            var userGroup = UserGroup(user) * g;
            for (var row = offsets[user]; row < offsets[user + 1]; row++)
            {
                if (included is null || included[row])
                {
                    counts[userGroup + ItemGroup(rowItems[row])]++;
                }
            }
        }

        _blocks = new SgdEntry[g * g][];
        for (var b = 0; b < _blocks.Length; b++)
        {
            _blocks[b] = new SgdEntry[counts[b]];
            counts[b] = 0;
        }

        // Users in slot order: each block receives its ratings in user order.
        foreach (var user in userOrder)
        {
            var userGroup = UserGroup(user) * g;
            var slot = UserSlots[user];
            for (var row = offsets[user]; row < offsets[user + 1]; row++)
            {
                if (included is null || included[row])
                {
                    var item = rowItems[row];
                    var b = userGroup + ItemGroup(item);
                    _blocks[b][counts[b]++] = new SgdEntry(slot, ItemSlots[item], values[row]);
                }
            }
        }
    }

    /// <summary>
    /// The row of every user in the training state: a seeded permutation whose contiguous ranges are the user
    /// groups, so threads write disjoint memory ranges (no false sharing).
    /// </summary>
    public int[] UserSlots { get; }

    /// <summary>The row of every item in the training state (see <see cref="UserSlots"/>).</summary>
    public int[] ItemSlots { get; }

    /// <summary>Runs one epoch; returns the sum of what <paramref name="work"/> returned, added in a fixed order.</summary>
    public double RunEpoch(int epoch, Func<SgdEntry[], double> work)
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
