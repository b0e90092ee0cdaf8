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

    private float[] Unpad(float[] padded, int rows, int[]? slots)
    {
        var result = new float[rows * Rank];
        for (var r = 0; r < rows; r++)
        {
            padded.AsSpan((slots?[r] ?? r) * Stride, Rank).CopyTo(result.AsSpan(r * Rank, Rank));
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
/// The stratified schedule: users and items are given rows in a seeded random order, cut into T contiguous groups
/// each; ratings are bucketed into the T×T blocks, each shuffled once; round s of an epoch gives thread t the block
/// (t, (t + s + epoch) mod T). Entries hold the rows, not the original indices.
/// </summary>
internal sealed class SgdBlocks
{
    private readonly SgdEntry[][] _blocks;
    private readonly int _threads;

    public SgdBlocks(InteractionDataset data, int[]? rows, int threads, ulong seed)
    {
        _threads = Math.Max(1, Math.Min(threads, Math.Min(data.Users.Count, data.Items.Count)));
        var t = _threads;
        UserSlots = Slots(data.Users.Count, seed, 3);
        ItemSlots = Slots(data.Items.Count, seed, 4);
        var users = data.Users.Count;
        var items = data.Items.Count;
        int UserGroup(int user) => (int)((long)UserSlots[user] * t / users);
        int ItemGroup(int item) => (int)((long)ItemSlots[item] * t / items);
        var counts = new int[t * t];
        var total = rows?.Length ?? data.Count;
        for (var k = 0; k < total; k++)
        {
            var row = rows is null ? k : rows[k];
            counts[(UserGroup(data.RowUsers[row]) * t) + ItemGroup(data.RowItems[row])]++;
        }

        _blocks = new SgdEntry[t * t][];
        for (var b = 0; b < _blocks.Length; b++)
        {
            _blocks[b] = new SgdEntry[counts[b]];
            counts[b] = 0;
        }

        for (var k = 0; k < total; k++)
        {
            var row = rows is null ? k : rows[k];
            var user = data.RowUsers[row];
            var item = data.RowItems[row];
            var b = (UserGroup(user) * t) + ItemGroup(item);
            _blocks[b][counts[b]++] = new SgdEntry(UserSlots[user], ItemSlots[item], data.RowValues[row]);
        }

        for (var b = 0; b < _blocks.Length; b++)
        {
            var random = RandomSource.ForStream(seed, 100 + (ulong)b);
            random.Shuffle(_blocks[b].AsSpan());
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
        var t = _threads;
        if (t == 1)
        {
            return work(_blocks[0]);
        }

        var partial = new double[t];
        var total = 0.0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = t };
        for (var round = 0; round < t; round++)
        {
            Parallel.For(0, t, parallel, thread =>
            {
                var itemGroup = (thread + round + epoch) % t;
                partial[thread] = work(_blocks[(thread * t) + itemGroup]);
            });
            foreach (var value in partial)
            {
                total += value;
            }
        }

        return total;
    }

    private static int[] Slots(int count, ulong seed, ulong stream)
    {
        var order = new int[count];
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
