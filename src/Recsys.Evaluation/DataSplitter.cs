using System.Globalization;
using Recsys.Data;
using Recsys.Numerics;

namespace Recsys.Evaluation;

/// <summary>
/// Seeded, reproducible train/test splits. Every split partitions the dataset: each interaction lands in exactly
/// one of train and test.
/// </summary>
public static class DataSplitter
{
    /// <summary>Holds out a random fraction of all interactions.</summary>
    /// <param name="data">The dataset.</param>
    /// <param name="testFraction">The share to hold out, in (0, 1); the count is rounded to the nearest integer.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The split.</returns>
    public static DataSplit RandomHoldout(InteractionDataset data, double testFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFraction(testFraction);
        var rows = Rows(data.Count);
        var random = new RandomSource(seed);
        random.Shuffle(rows.AsSpan());
        var testCount = (int)Math.Round(testFraction * data.Count, MidpointRounding.AwayFromZero);
        return Make(data, rows.AsSpan(testCount), rows.AsSpan(0, testCount), Invariant($"random:{testFraction} seed {seed}"));
    }

    /// <summary>
    /// Holds out a random fraction of every user's interactions, rounded to the nearest integer, always leaving
    /// the user at least one training interaction (users with one interaction stay entirely in training).
    /// </summary>
    /// <param name="data">The dataset.</param>
    /// <param name="testFraction">The share of each user's interactions to hold out, in (0, 1).</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The split.</returns>
    public static DataSplit PerUserHoldout(InteractionDataset data, double testFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFraction(testFraction);
        return PerUser(data, n => (int)Math.Round(testFraction * n, MidpointRounding.AwayFromZero), seed, shuffle: true, Invariant($"user:{testFraction} seed {seed}"));
    }

    /// <summary>
    /// Holds out <paramref name="testCount"/> random interactions of every user, always leaving the user at least one
    /// training interaction.
    /// </summary>
    /// <param name="data">The dataset.</param>
    /// <param name="testCount">How many interactions of each user to hold out; at least 1.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The split.</returns>
    public static DataSplit PerUserHoldout(InteractionDataset data, int testCount, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(testCount);
        return PerUser(data, _ => testCount, seed, shuffle: true, Invariant($"user:{testCount} seed {seed}"));
    }

    /// <summary>
    /// Holds out every user's <paramref name="k"/> latest interactions (ties on timestamp broken by row), always
    /// leaving the user at least one training interaction.
    /// </summary>
    /// <param name="data">The dataset.</param>
    /// <param name="k">How many of each user's latest interactions to hold out; at least 1.</param>
    /// <returns>The split.</returns>
    public static DataSplit LeaveLastK(InteractionDataset data, int k)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        return PerUser(data, _ => k, 0, shuffle: false, Invariant($"last:{k}"));
    }

    /// <summary>
    /// Holds out the latest fraction of all interactions by timestamp (ties broken by row): everything before a
    /// point in time trains, everything after tests, as a deployed model experiences it.
    /// </summary>
    /// <param name="data">The dataset.</param>
    /// <param name="testFraction">The share to hold out, in (0, 1).</param>
    /// <returns>The split.</returns>
    public static DataSplit Temporal(InteractionDataset data, double testFraction)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFraction(testFraction);
        var rows = Rows(data.Count);
        var keys = data.RowTimestamps.ToArray();
        Array.Sort(keys, rows);
        SortTiesByRow(keys, rows);
        var testCount = (int)Math.Round(testFraction * data.Count, MidpointRounding.AwayFromZero);
        var trainCount = data.Count - testCount;
        return Make(data, rows.AsSpan(0, trainCount), rows.AsSpan(trainCount), Invariant($"temporal:{testFraction}"));
    }

    /// <summary>
    /// The holdout of a refresh: of the interactions newer than <paramref name="trainedUpTo"/> (what a served model
    /// never saw), the newest half (by time, ties in row order; at least one) is held out, and everything else trains, so
    /// a model retrained on the older half of the new data is compared with the served one on data neither saw.
    /// </summary>
    /// <param name="data">The dataset.</param>
    /// <param name="trainedUpTo">The newest timestamp the served model was trained on.</param>
    /// <returns>The split, or <see langword="null"/> when no interaction is newer than <paramref name="trainedUpTo"/>.</returns>
    public static DataSplit? NewerThan(InteractionDataset data, long trainedUpTo)
    {
        ArgumentNullException.ThrowIfNull(data);
        var rows = Rows(data.Count);
        var keys = data.RowTimestamps.ToArray();
        Array.Sort(keys, rows);
        SortTiesByRow(keys, rows);
        var firstNewer = Array.FindIndex(keys, t => t > trainedUpTo);
        if (firstNewer < 0)
        {
            return null;
        }

        var newer = data.Count - firstNewer;
        var testCount = (newer + 1) / 2;
        var trainCount = data.Count - testCount;
        return Make(data, rows.AsSpan(0, trainCount), rows.AsSpan(trainCount), Invariant($"newer than {trainedUpTo}: the newest {testCount} of the {newer} interactions after it held out"));
    }

    /// <summary>Splits the interactions into <paramref name="folds"/> random folds; fold f tests on its share and trains on the rest.</summary>
    /// <param name="data">The dataset.</param>
    /// <param name="folds">The number of folds, at least 2.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>One split per fold.</returns>
    public static IReadOnlyList<DataSplit> KFold(InteractionDataset data, int folds, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var rows = Rows(data.Count);
        var random = new RandomSource(seed);
        random.Shuffle(rows.AsSpan());
        var result = new DataSplit[folds];
        var train = new List<int>(data.Count);
        var test = new List<int>((data.Count / folds) + 1);
        for (var f = 0; f < folds; f++)
        {
            train.Clear();
            test.Clear();
            for (var position = 0; position < rows.Length; position++)
            {
                (position % folds == f ? test : train).Add(rows[position]);
            }

            result[f] = Make(data, train.ToArray(), test.ToArray(), Invariant($"kfold:{folds} fold {f + 1} seed {seed}"));
        }

        return result;
    }

    private static DataSplit PerUser(InteractionDataset data, Func<int, int> testCountFor, ulong seed, bool shuffle, string description)
    {
        var train = new List<int>(data.Count);
        var test = new List<int>();
        var offsets = data.UserOffsets;
        var timestamps = data.RowTimestamps;
        for (var u = 0; u < data.Users.Count; u++)
        {
            var start = offsets[u];
            var n = offsets[u + 1] - start;
            var rows = new int[n];
            for (var j = 0; j < n; j++)
            {
                rows[j] = start + j;
            }

            if (shuffle)
            {
                var random = RandomSource.ForStream(seed, (ulong)u);
                random.Shuffle(rows.AsSpan());
            }
            else
            {
                var keys = timestamps.Slice(start, n).ToArray();
                Array.Sort(keys, rows);
                SortTiesByRow(keys, rows);
            }

            // Shuffled: the first rows test. Temporal: the last rows test.
            var testCount = Math.Clamp(testCountFor(n), 0, n - 1);
            var testRows = shuffle ? rows.AsSpan(0, testCount) : rows.AsSpan(n - testCount);
            var trainRows = shuffle ? rows.AsSpan(testCount) : rows.AsSpan(0, n - testCount);
            test.AddRange(testRows);
            train.AddRange(trainRows);
        }

        return Make(data, train.ToArray(), test.ToArray(), description);
    }

    /// <summary>Array.Sort is unstable: order rows with equal keys by row number.</summary>
    private static void SortTiesByRow(long[] keys, int[] rows)
    {
        var start = 0;
        while (start < keys.Length)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                rows.AsSpan(start, end - start).Sort();
            }

            start = end;
        }
    }

    private static DataSplit Make(InteractionDataset data, ReadOnlySpan<int> trainRows, ReadOnlySpan<int> testRows, string description) =>
        new(data.Subset(trainRows), data.Subset(testRows), description);

    private static int[] Rows(int count)
    {
        var rows = new int[count];
        for (var i = 0; i < count; i++)
        {
            rows[i] = i;
        }

        return rows;
    }

    private static void CheckFraction(double fraction)
    {
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The test fraction must be between 0 and 1, exclusive.");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
