namespace Recsys.Data;

/// <summary>
/// An immutable set of interactions with dense user and item indices, held as two compressed sparse row views:
/// by user (rows ordered by user, then item) and by item (ordered by item, then user).
/// </summary>
/// <remarks>
/// <para>
/// Every user and item in <see cref="Users"/> and <see cref="Items"/> has at least one interaction, and every
/// (user, item) pair occurs once: when the input held the same pair several times, the one with the latest
/// timestamp was kept (on equal timestamps, the one added last) and <see cref="DuplicatesDropped"/> counts the others.
/// </para>
/// <para>
/// A <em>row</em> is a position in the by-user view, <c>0 … Count-1</c>; <see cref="Subset"/> and the splitters
/// select rows by that number.
/// </para>
/// </remarks>
public sealed class InteractionDataset
{
    // The row columns may be longer than Count (a reader's spare capacity, never touched, so never resident): every
    // view slices them to _count. _rowUsers is derived from the offsets on first use and _rowTimestamps is null when
    // the source had none. A dataset read from a source with at most 256 distinct values (star ratings, counts) keeps
    // each row's value as a byte indexing _levels, and _rowValues is built from them only when RowValues is asked
    // for: read for training, it holds 5 bytes a row (item and level) plus the offsets.
    private readonly int _count;
    private readonly int[] _userOffsets;
    private readonly int[] _rowItems;
    private readonly byte[]? _rowLevels;
    private readonly float[]? _levels;
    private float[]? _rowValues;
    private int[]? _rowUsers;
    private long[]? _rowTimestamps;
    private ItemIndex? _itemIndex;

    private InteractionDataset(
        IdMap users,
        IdMap items,
        int[] userOffsets,
        int[]? rowUsers,
        int[] rowItems,
        float[]? rowValues,
        long[]? rowTimestamps,
        int duplicatesDropped,
        int count = -1,
        (float[] Levels, byte[] RowLevels)? levels = null)
    {
        Users = users;
        Items = items;
        _count = count < 0 ? rowItems.Length : count;
        _userOffsets = userOffsets;
        _rowUsers = rowUsers;
        _rowItems = rowItems;
        _rowValues = rowValues;
        (_levels, _rowLevels) = levels is { } l ? (l.Levels, l.RowLevels) : (null, null);
        _rowTimestamps = rowTimestamps;
        HasTimestamps = rowTimestamps is not null;
        DuplicatesDropped = duplicatesDropped;

        // The by-item view (ItemOffsets, ItemUsers, ItemValues, ItemRows) is built on first use: a dataset that is only
        // split, counted or served by user never pays its time or its 12 bytes per row.
        count = _count;
        double sum = 0;
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        for (var row = 0; row < count; row++)
        {
            var value = GetValue(row);
            sum += value;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        GlobalMean = count == 0 ? 0 : sum / count;
        MinValue = count == 0 ? 0 : min;
        MaxValue = count == 0 ? 0 : max;
    }

    /// <summary>Gets an empty dataset.</summary>
    public static InteractionDataset Empty { get; } = new(IdMap.Empty, IdMap.Empty, [0], [], [], [], [], 0);

    /// <summary>Gets the users, each with at least one interaction.</summary>
    public IdMap Users { get; }

    /// <summary>Gets the items, each with at least one interaction.</summary>
    public IdMap Items { get; }

    /// <summary>Gets the number of interactions (rows).</summary>
    public int Count => _count;

    /// <summary>
    /// Gets a value indicating whether the rows carry timestamps. A source without a timestamp column, or one read
    /// without them (<c>InteractionSourceOptions.ReadTimestamps</c>), has none: every timestamp reads as 0.
    /// </summary>
    public bool HasTimestamps { get; }

    /// <summary>Gets how many duplicated (user, item) interactions were dropped when the dataset was built.</summary>
    public int DuplicatesDropped { get; }

    /// <summary>Gets the mean of all values (0 for an empty dataset).</summary>
    public double GlobalMean { get; }

    /// <summary>Gets the smallest value (0 for an empty dataset).</summary>
    public float MinValue { get; }

    /// <summary>Gets the largest value (0 for an empty dataset).</summary>
    public float MaxValue { get; }

    /// <summary>Gets the by-user row offsets: user <c>u</c> owns rows <c>UserOffsets[u] … UserOffsets[u+1]-1</c>.</summary>
    public ReadOnlySpan<int> UserOffsets => _userOffsets;

    /// <summary>Gets the user of every row.</summary>
    public ReadOnlySpan<int> RowUsers => UserColumn.AsSpan(0, _count);

    /// <summary>Gets the item of every row.</summary>
    public ReadOnlySpan<int> RowItems => _rowItems.AsSpan(0, _count);

    /// <summary>
    /// Gets the arrays behind <see cref="UserOffsets"/> and <see cref="RowItems"/>, for models that keep each user's
    /// items without copying them (the dataset never changes them); the items array may be longer than
    /// <see cref="Count"/>.
    /// </summary>
    internal (int[] UserOffsets, int[] RowItems) SharedUserItems => (_userOffsets, _rowItems);

    /// <summary>Gets the value of every row.</summary>
    /// <remarks>
    /// A dataset read from a source with at most 256 distinct values keeps a byte a row and builds this column on first
    /// use (4 bytes a row more); <see cref="GetValue"/> reads one value without it.
    /// </remarks>
    public ReadOnlySpan<float> RowValues => ValueColumn.AsSpan(0, _count);

    /// <summary>Gets the array behind <see cref="RowValues"/> (built from the levels on first use); it may be longer than <see cref="Count"/>.</summary>
    internal float[] RowValueArray => ValueColumn;

    /// <summary>
    /// Gets the distinct values and every row's index among them, when the dataset keeps its values that way (see
    /// <see cref="RowValues"/>); the row levels may be longer than <see cref="Count"/>, and the levels are in no order.
    /// </summary>
    internal (float[] Levels, byte[] RowLevels)? ValueLevels => _rowLevels is null ? null : (_levels!, _rowLevels);

    /// <summary>Gets the timestamp of every row (all 0 when <see cref="HasTimestamps"/> is false).</summary>
    public ReadOnlySpan<long> RowTimestamps => TimestampColumn.AsSpan(0, _count);

    // Built on first use from the offsets (a training fit by user never needs them); concurrent first readers build
    // identical arrays and one is kept.
    private int[] UserColumn => LazyInitializer.EnsureInitialized(ref _rowUsers, () =>
    {
        var rowUsers = new int[_count];
        for (var u = 0; u + 1 < _userOffsets.Length; u++)
        {
            rowUsers.AsSpan(_userOffsets[u], _userOffsets[u + 1] - _userOffsets[u]).Fill(u);
        }

        return rowUsers;
    });

    private long[] TimestampColumn => LazyInitializer.EnsureInitialized(ref _rowTimestamps, () => new long[_count]);

    // Built on first use from the levels when the dataset keeps those (concurrent first readers build identical arrays).
    private float[] ValueColumn => _rowValues ?? LazyInitializer.EnsureInitialized(ref _rowValues, () =>
    {
        var values = new float[_count];
        for (var row = 0; row < values.Length; row++)
        {
            values[row] = _levels![_rowLevels![row]];
        }

        return values;
    });

    /// <summary>Gets the by-item offsets: item <c>i</c> owns positions <c>ItemOffsets[i] … ItemOffsets[i+1]-1</c> of the by-item view.</summary>
    public ReadOnlySpan<int> ItemOffsets => Index.Offsets;

    /// <summary>Gets the user at every position of the by-item view.</summary>
    public ReadOnlySpan<int> ItemUsers => Index.Users;

    /// <summary>Gets the value at every position of the by-item view.</summary>
    public ReadOnlySpan<float> ItemValues => Index.Values;

    /// <summary>Gets the by-user row at every position of the by-item view.</summary>
    public ReadOnlySpan<int> ItemRows => Index.Rows;

    /// <summary>
    /// A SHA-256 fingerprint (lower-case hex) of the interactions: user id, item id, value and timestamp of every row,
    /// ordered by user id, then item id (ordinal). Equal data gives equal fingerprints, whatever order it was read in.
    /// </summary>
    /// <returns>The fingerprint.</returns>
    public string ComputeFingerprint()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        Span<byte> numbers = stackalloc byte[12];
        var rows = new int[0];
        foreach (var user in Enumerable.Range(0, Users.Count).OrderBy(u => Users[u], StringComparer.Ordinal))
        {
            var start = _userOffsets[user];
            var end = _userOffsets[user + 1];
            if (rows.Length < end - start)
            {
                rows = new int[end - start];
            }

            var order = rows.AsSpan(0, end - start);
            for (var k = 0; k < order.Length; k++)
            {
                order[k] = start + k;
            }

            order.Sort((a, b) => string.CompareOrdinal(Items[_rowItems[a]], Items[_rowItems[b]]));
            var userId = System.Text.Encoding.UTF8.GetBytes(Users[user]);
            foreach (var row in order)
            {
                hash.AppendData(userId);
                hash.AppendData([0]);
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Items[_rowItems[row]]));
                hash.AppendData([0]);
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(numbers, GetValue(row));
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(numbers[4..], _rowTimestamps?[row] ?? 0);
                hash.AppendData(numbers);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Gets the items a user interacted with, in ascending index order.</summary>
    /// <param name="user">The user index.</param>
    /// <returns>The item indices.</returns>
    public ReadOnlySpan<int> GetUserItems(int user) => _rowItems.AsSpan(_userOffsets[user], _userOffsets[user + 1] - _userOffsets[user]);

    /// <summary>Gets the values of a user's interactions, aligned with <see cref="GetUserItems"/>.</summary>
    /// <param name="user">The user index.</param>
    /// <returns>The values.</returns>
    public ReadOnlySpan<float> GetUserValues(int user) => ValueColumn.AsSpan(_userOffsets[user], _userOffsets[user + 1] - _userOffsets[user]);

    /// <summary>Gets the value of one row, without building <see cref="RowValues"/> when the dataset keeps levels.</summary>
    /// <param name="row">A row in <c>0 … Count-1</c>.</param>
    /// <returns>The value.</returns>
    public float GetValue(int row)
    {
        if ((uint)row >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Row {row} is outside 0 … {_count - 1}.");
        }

        return _rowLevels is null ? _rowValues![row] : _levels![_rowLevels[row]];
    }

    /// <summary>Gets the timestamps of a user's interactions, aligned with <see cref="GetUserItems"/>.</summary>
    /// <param name="user">The user index.</param>
    /// <returns>The timestamps.</returns>
    public ReadOnlySpan<long> GetUserTimestamps(int user) => TimestampColumn.AsSpan(_userOffsets[user], _userOffsets[user + 1] - _userOffsets[user]);

    /// <summary>Gets the users who interacted with an item, in ascending index order.</summary>
    /// <param name="item">The item index.</param>
    /// <returns>The user indices.</returns>
    public ReadOnlySpan<int> GetItemUsers(int item)
    {
        var index = Index;
        return index.Users.AsSpan(index.Offsets[item], index.Offsets[item + 1] - index.Offsets[item]);
    }

    /// <summary>Gets the values of an item's interactions, aligned with <see cref="GetItemUsers"/>.</summary>
    /// <param name="item">The item index.</param>
    /// <returns>The values.</returns>
    public ReadOnlySpan<float> GetItemValues(int item)
    {
        var index = Index;
        return index.Values.AsSpan(index.Offsets[item], index.Offsets[item + 1] - index.Offsets[item]);
    }

    /// <summary>Gets the interaction stored in a row, with its string identifiers.</summary>
    /// <param name="row">A row in <c>0 … Count-1</c>.</param>
    /// <returns>The interaction.</returns>
    public Interaction GetInteraction(int row) =>
        new(Users[RowUsers[row]], Items[_rowItems[row]], GetValue(row), _rowTimestamps?[row] ?? 0);

    /// <summary>Enumerates every interaction in row order (by user, then item).</summary>
    /// <returns>The interactions.</returns>
    public IEnumerable<Interaction> EnumerateInteractions()
    {
        for (var row = 0; row < Count; row++)
        {
            yield return GetInteraction(row);
        }
    }

    /// <summary>
    /// Creates a dataset from some of this dataset's rows. Users and items without a selected row are dropped and
    /// the rest re-indexed, keeping their relative order.
    /// </summary>
    /// <param name="rows">Distinct rows in <c>0 … Count-1</c>, in any order.</param>
    /// <returns>The subset.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A row is out of range.</exception>
    /// <exception cref="ArgumentException">A row is selected twice.</exception>
    public InteractionDataset Subset(ReadOnlySpan<int> rows)
    {
        var n = rows.Length;
        var users = new int[n];
        var items = new int[n];
        var values = new float[n];
        var timestamps = HasTimestamps ? new long[n] : null; // not _rowTimestamps: a read of RowTimestamps fills it with zeros
        var seen = new bool[Count];
        var rowUsers = RowUsers;
        for (var j = 0; j < n; j++)
        {
            var row = rows[j];
            if ((uint)row >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"Row {row} is outside 0 … {Count - 1}.");
            }

            if (seen[row])
            {
                throw new ArgumentException($"Row {row} is selected more than once.", nameof(rows));
            }

            seen[row] = true;
            users[j] = rowUsers[row];
            items[j] = _rowItems[row];
            values[j] = GetValue(row);
            timestamps?[j] = _rowTimestamps![row];
        }

        var userIds = new string[Users.Count];
        for (var u = 0; u < userIds.Length; u++)
        {
            userIds[u] = Users[u];
        }

        var itemIds = new string[Items.Count];
        for (var i = 0; i < itemIds.Length; i++)
        {
            itemIds[i] = Items[i];
        }

        return Build(userIds, itemIds, users, items, values, timestamps, n);
    }

    /// <summary>
    /// Builds a dataset like <see cref="Build"/>, but in the given columns when their rows come grouped by user in
    /// order of first appearance (as files written user by user do): each user's rows are sorted and deduplicated in
    /// place, ids renumbered in place, and the columns become the dataset's (no copy when they hold exactly
    /// <paramref name="count"/> rows). Other inputs fall back to <see cref="Build"/>. The caller gives up the columns;
    /// <paramref name="timestamps"/> is null when the rows have none, and the values are either
    /// <paramref name="values"/> or, when the builder kept them as levels, <paramref name="levels"/>.
    /// </summary>
    internal static InteractionDataset BuildInPlace(
        string[] userIds,
        string[] itemIds,
        int[] users,
        int[] items,
        float[]? values,
        (float[] Levels, byte[] RowLevels)? levels,
        long[]? timestamps,
        int count)
    {
        for (var r = 1; r < count; r++)
        {
            if (users[r] < users[r - 1])
            {
                if (levels is { } l)
                {
                    values = new float[count];
                    for (var row = 0; row < count; row++)
                    {
                        values[row] = l.Levels[l.RowLevels[row]];
                    }
                }

                return Build(userIds, itemIds, users, items, values!, timestamps, count);
            }
        }

        var rowLevels = levels?.RowLevels;

        var longest = 0;
        for (int start = 0, end; start < count; start = end)
        {
            for (end = start + 1; end < count && users[end] == users[start]; end++)
            {
            }

            longest = Math.Max(longest, end - start);
        }

        var keys = new long[longest];
        var segmentItems = new int[longest];
        var segmentValues = rowLevels is null ? new float[longest] : null;
        var segmentLevels = rowLevels is null ? null : new byte[longest];
        var segmentTimestamps = timestamps is null ? null : new long[longest];
        var itemUsed = new bool[itemIds.Length];
        var userUsed = new bool[userIds.Length];
        var kept = 0;
        for (int start = 0, end; start < count; start = end)
        {
            var user = users[start];
            for (end = start + 1; end < count && users[end] == user; end++)
            {
            }

            // key = item << 32 | position in the segment: sorting orders by item, then by input order.
            var length = end - start;
            for (var j = 0; j < length; j++)
            {
                keys[j] = ((long)items[start + j] << 32) | (uint)j;
                segmentItems[j] = items[start + j];
                if (rowLevels is null)
                {
                    segmentValues![j] = values![start + j];
                }
                else
                {
                    segmentLevels![j] = rowLevels[start + j];
                }

                segmentTimestamps?[j] = timestamps![start + j];
            }

            var segment = keys.AsSpan(0, length);
            segment.Sort();
            userUsed[user] = true;
            var j2 = 0;
            while (j2 < length)
            {
                var item = (int)(segment[j2] >> 32);
                var best = (int)(uint)segment[j2];
                j2++;
                while (j2 < length && (int)(segment[j2] >> 32) == item)
                {
                    var candidate = (int)(uint)segment[j2];
                    if (segmentTimestamps is null || segmentTimestamps[candidate] >= segmentTimestamps[best])
                    {
                        best = candidate;
                    }

                    j2++;
                }

                // The segment was copied out above and kept <= start + position, so no unread row is overwritten.
                users[kept] = user;
                items[kept] = item;
                if (rowLevels is null)
                {
                    values![kept] = segmentValues![best];
                }
                else
                {
                    rowLevels[kept] = segmentLevels![best];
                }

                timestamps?[kept] = segmentTimestamps![best];
                kept++;
                itemUsed[item] = true;
            }
        }

        var userMap = Compact(userIds, static (u, used) => used[u], userUsed, out var newUserIds);
        var itemMap = Compact(itemIds, static (i, used) => used[i], itemUsed, out var newItemIds);
        var userOffsets = new int[newUserIds.Length + 1];
        for (var k = 0; k < kept; k++)
        {
            items[k] = itemMap[items[k]];
            userOffsets[userMap[users[k]] + 1]++;
        }

        for (var u = 0; u < newUserIds.Length; u++)
        {
            userOffsets[u + 1] += userOffsets[u];
        }

        // The columns stay as long as the reader made them (no trimming copy: the spare rows were never written, so
        // never resident) and the user column is dropped: the offsets say whose every row is. Values of few distinct
        // levels become a byte a row; the float column is then dropped too.
        levels ??= ValueLevelTable.TryCreate(values!, kept);
        return new InteractionDataset(CreateMap(newUserIds), CreateMap(newItemIds), userOffsets, null, items, levels is null ? values : null, timestamps, count - kept, kept, levels);
    }

    /// <summary>
    /// Builds a dataset from columns of interactions: resolves duplicates (latest timestamp wins, then the later
    /// row), drops identifiers without interactions and creates both sparse views.
    /// </summary>
    internal static InteractionDataset Build(
        string[] userIds,
        string[] itemIds,
        int[] users,
        int[] items,
        float[] values,
        long[]? timestamps,
        int count)
    {
        // Counting sort of the input rows by user.
        var userStart = new int[userIds.Length + 1];
        for (var r = 0; r < count; r++)
        {
            userStart[users[r] + 1]++;
        }

        for (var u = 0; u < userIds.Length; u++)
        {
            userStart[u + 1] += userStart[u];
        }

        // key = item << 32 | input row: sorting a user's segment orders it by item, then by input order.
        var keys = new long[count];
        var cursor = userStart.AsSpan(0, userIds.Length).ToArray();
        for (var r = 0; r < count; r++)
        {
            keys[cursor[users[r]]++] = ((long)items[r] << 32) | (uint)r;
        }

        var kept = new int[count];
        var keptCount = 0;
        var itemUsed = new bool[itemIds.Length];
        for (var u = 0; u < userIds.Length; u++)
        {
            var segment = keys.AsSpan(userStart[u], userStart[u + 1] - userStart[u]);
            segment.Sort();
            var j = 0;
            while (j < segment.Length)
            {
                var item = (int)(segment[j] >> 32);
                var best = (int)(uint)segment[j];
                j++;
                while (j < segment.Length && (int)(segment[j] >> 32) == item)
                {
                    var candidate = (int)(uint)segment[j];
                    if (timestamps is null || timestamps[candidate] >= timestamps[best])
                    {
                        best = candidate;
                    }

                    j++;
                }

                kept[keptCount++] = best;
                itemUsed[item] = true;
            }
        }

        var userMap = Compact(userIds, static (u, starts) => starts[u + 1] > starts[u], userStart, out var newUserIds);
        var itemMap = Compact(itemIds, static (i, used) => used[i], itemUsed, out var newItemIds);

        var rowItems = new int[keptCount];
        var rowValues = new float[keptCount];
        var rowTimestamps = timestamps is null ? null : new long[keptCount];
        var userOffsets = new int[newUserIds.Length + 1];
        for (var k = 0; k < keptCount; k++)
        {
            var r = kept[k];
            var user = userMap[users[r]];
            rowItems[k] = itemMap[items[r]];
            rowValues[k] = values[r];
            rowTimestamps?[k] = timestamps![r];
            userOffsets[user + 1]++;
        }

        for (var u = 0; u < newUserIds.Length; u++)
        {
            userOffsets[u + 1] += userOffsets[u];
        }

        return new InteractionDataset(
            CreateMap(newUserIds),
            CreateMap(newItemIds),
            userOffsets,
            null,
            rowItems,
            rowValues,
            rowTimestamps,
            count - keptCount);
    }

    // Thread-safe: concurrent first readers may each build the index, and one of the identical results is kept.
    private ItemIndex Index => LazyInitializer.EnsureInitialized(ref _itemIndex, () => ItemIndex.Build(Items.Count, RowUsers, RowItems, RowValues));

    private static int[] Compact<TState>(string[] ids, Func<int, TState, bool> keep, TState state, out string[] keptIds)
    {
        var map = new int[ids.Length];
        var kept = new List<string>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            if (keep(i, state))
            {
                map[i] = kept.Count;
                kept.Add(ids[i]);
            }
            else
            {
                map[i] = -1;
            }
        }

        keptIds = [.. kept];
        return map;
    }

    private static IdMap CreateMap(string[] ids)
    {
        var indices = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            indices.Add(ids[i], i);
        }

        return IdMap.CreateTrusted(ids, indices);
    }

    // The rows grouped by item (CSR): offsets per item, and per position the user, the value and the row.
    private sealed record ItemIndex(int[] Offsets, int[] Users, float[] Values, int[] Rows)
    {
        public static ItemIndex Build(int itemCount, ReadOnlySpan<int> rowUsers, ReadOnlySpan<int> rowItems, ReadOnlySpan<float> rowValues)
        {
            var count = rowItems.Length;
            var offsets = new int[itemCount + 1];
            foreach (var item in rowItems)
            {
                offsets[item + 1]++;
            }

            for (var i = 0; i < itemCount; i++)
            {
                offsets[i + 1] += offsets[i];
            }

            var users = new int[count];
            var values = new float[count];
            var rows = new int[count];
            var cursor = offsets.AsSpan(0, itemCount).ToArray();
            for (var row = 0; row < count; row++)
            {
                var position = cursor[rowItems[row]]++;
                users[position] = rowUsers[row];
                values[position] = rowValues[row];
                rows[position] = row;
            }

            return new ItemIndex(offsets, users, values, rows);
        }
    }
}
