namespace Recsys.Data;

/// <summary>
/// Collects interactions, interning their identifiers, and builds an immutable <see cref="InteractionDataset"/>.
/// </summary>
/// <remarks>
/// Storage is columnar (four arrays), so a builder holds 100 million interactions in about 2 GB without one
/// object per interaction. Not thread-safe.
/// </remarks>
public sealed class InteractionDatasetBuilder
{
    private IdInterner _users = new();
    private IdInterner _items = new();
    private int[] _userColumn;
    private int[] _itemColumn;
    private float[]? _valueColumn;
    private byte[]? _levelColumn; // instead of _valueColumn while the values are at most 256 levels (readers' builders)
    private ValueLevelTable? _levels;
    private long[]? _timestampColumn;

    /// <summary>Initializes a new, empty builder.</summary>
    /// <param name="capacity">The number of interactions to reserve room for.</param>
    public InteractionDatasetBuilder(int capacity = 0)
        : this(capacity, timestamps: true)
    {
    }

    // For the readers: without timestamps the builder keeps none (8 bytes a row less) and the dataset has none; with
    // levels it keeps each value as a byte while there are at most 256 distinct ones (3 bytes a row less, and the
    // dataset keeps them so), switching to floats at the 257th.
    internal InteractionDatasetBuilder(int capacity, bool timestamps, bool levels = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _userColumn = new int[capacity];
        _itemColumn = new int[capacity];
        if (levels)
        {
            _levelColumn = new byte[capacity];
            _levels = new ValueLevelTable();
        }
        else
        {
            _valueColumn = new float[capacity];
        }

        _timestampColumn = timestamps ? new long[capacity] : null;
    }

    /// <summary>Gets the number of interactions added so far, duplicates included.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the number of distinct users registered so far.</summary>
    public int UserCount => _users.Count;

    /// <summary>Gets the number of distinct items registered so far.</summary>
    public int ItemCount => _items.Count;

    // For Recsys.Data's columnar readers, which decode a row group straight into the columns at and after Count and
    // then Add the rows in order (each written at or before where it was decoded). Valid until an Add grows them:
    // it cannot while Count stays below Capacity.
    internal int Capacity => _userColumn.Length;

    internal int[] UserColumn => _userColumn;

    internal int[] ItemColumn => _itemColumn;

    // Null while the values are kept as levels: a reader then decodes them into its own vector and adds them.
    internal float[]? ValueColumn => _valueColumn;

    internal long[]? TimestampColumn => _timestampColumn;

    // Reserves room for `capacity` rows in all: a reader that can estimate its row count calls it once, before adding,
    // so that the columns are not doubled (and copied) as they fill.
    internal void EnsureCapacity(int capacity)
    {
        if (capacity > _userColumn.Length)
        {
            Resize(capacity);
        }
    }

    /// <summary>Registers a user identifier (if new) and returns its index in this builder.</summary>
    /// <param name="userId">A non-empty identifier.</param>
    /// <returns>The user's index.</returns>
    public int AddUser(ReadOnlySpan<char> userId) => _users.Intern(userId, nameof(userId));

    /// <summary>Registers an item identifier (if new) and returns its index in this builder.</summary>
    /// <param name="itemId">A non-empty identifier.</param>
    /// <returns>The item's index.</returns>
    public int AddItem(ReadOnlySpan<char> itemId) => _items.Intern(itemId, nameof(itemId));

    /// <summary>Adds an interaction.</summary>
    /// <param name="userId">The user identifier; must not be empty.</param>
    /// <param name="itemId">The item identifier; must not be empty.</param>
    /// <param name="value">A finite rating or signal.</param>
    /// <param name="timestamp">Seconds since the Unix epoch.</param>
    public void Add(string userId, string itemId, float value, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(itemId);
        Add(userId.AsSpan(), itemId.AsSpan(), value, timestamp);
    }

    /// <summary>Adds an interaction whose identifiers are given as characters (no allocation for known ids).</summary>
    /// <param name="userId">The user identifier; must not be empty.</param>
    /// <param name="itemId">The item identifier; must not be empty.</param>
    /// <param name="value">A finite rating or signal.</param>
    /// <param name="timestamp">Seconds since the Unix epoch.</param>
    public void Add(ReadOnlySpan<char> userId, ReadOnlySpan<char> itemId, float value, long timestamp)
    {
        CheckValue(value);
        var user = AddUser(userId);
        var item = AddItem(itemId);
        Append(user, item, value, timestamp);
    }

    /// <summary>Adds an interaction between a user and an item registered with <see cref="AddUser"/> and <see cref="AddItem"/>.</summary>
    /// <param name="user">A user index returned by <see cref="AddUser"/>.</param>
    /// <param name="item">An item index returned by <see cref="AddItem"/>.</param>
    /// <param name="value">A finite rating or signal.</param>
    /// <param name="timestamp">Seconds since the Unix epoch.</param>
    public void Add(int user, int item, float value, long timestamp)
    {
        if ((uint)user >= (uint)_users.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(user), user, $"User index {user} has not been registered; {_users.Count} users are.");
        }

        if ((uint)item >= (uint)_items.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, $"Item index {item} has not been registered; {_items.Count} items are.");
        }

        CheckValue(value);
        Append(user, item, value, timestamp);
    }

    /// <summary>
    /// Builds the dataset: duplicated (user, item) pairs keep the latest timestamp (the one added last on a tie),
    /// and registered identifiers without an interaction are left out.
    /// </summary>
    /// <returns>The immutable dataset; its <see cref="InteractionDataset.DuplicatesDropped"/> counts the dropped pairs.</returns>
    public InteractionDataset Build() =>
        InteractionDataset.Build(_users.ToArray(), _items.ToArray(), _userColumn, _itemColumn, _valueColumn ?? LevelsAsValues(), _timestampColumn, Count);

    /// <summary>
    /// Builds the dataset as <see cref="Build"/> does, handing it this builder's storage: when the rows came grouped by
    /// user (a file written user by user), they are sorted and deduplicated in place, without a second copy of the
    /// data, which is what a reader of a large file wants. The builder is empty afterwards.
    /// </summary>
    /// <returns>The immutable dataset; its <see cref="InteractionDataset.DuplicatesDropped"/> counts the dropped pairs.</returns>
    public InteractionDataset BuildAndClear()
    {
        // The builder lets go of its columns first, so that those the dataset does not keep (the users; the values when
        // they become levels) can be collected while it is built, not only after.
        var (users, items, values, timestamps, count) = (_userColumn, _itemColumn, _valueColumn, _timestampColumn, Count);
        (float[] Levels, byte[] RowLevels)? levels = _levelColumn is null ? null : (_levels!.ToArray(), _levelColumn);
        (_userColumn, _itemColumn, _valueColumn, _timestampColumn) = ([], [], [], _timestampColumn is null ? null : []);
        (_levelColumn, _levels) = (null, null);
        Count = 0;
        var (userIds, itemIds) = (_users.ToArray(), _items.ToArray());
        (_users, _items) = (new(), new()); // not Clear(): a cleared dictionary keeps its capacity
        return InteractionDataset.BuildInPlace(userIds, itemIds, users, items, values, levels, timestamps, count);
    }

    private static void CheckValue(float value)
    {
        if (!float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "An interaction value must be a finite number.");
        }
    }

    private void Append(int user, int item, float value, long timestamp)
    {
        if (Count == _userColumn.Length)
        {
            // Past 16 M rows the columns grow by a quarter, not double: the copy is the peak of a large read.
            var grown = Count < (1 << 24) ? 2L * Count : Count + (Count / 4L);
            var capacity = (int)Math.Min(Array.MaxLength, Math.Max(1024L, grown));
            if (capacity == Count)
            {
                throw new InvalidOperationException($"A dataset holds at most {Array.MaxLength} interactions.");
            }

            Resize(capacity);
        }

        _userColumn[Count] = user;
        _itemColumn[Count] = item;
        if (_levelColumn is not null)
        {
            var level = _levels!.IndexOf(value);
            if (level >= 0)
            {
                _levelColumn[Count] = (byte)level;
            }
            else
            {
                // The 257th distinct value: from here on the values are floats.
                _valueColumn = LevelsAsValues(_userColumn.Length);
                (_levelColumn, _levels) = (null, null);
                _valueColumn[Count] = value;
            }
        }
        else
        {
            _valueColumn![Count] = value;
        }

        _timestampColumn?[Count] = timestamp;
        Count++;
    }

    private void Resize(int capacity)
    {
        Array.Resize(ref _userColumn, capacity);
        Array.Resize(ref _itemColumn, capacity);
        if (_levelColumn is not null)
        {
            Array.Resize(ref _levelColumn, capacity);
        }
        else
        {
            Array.Resize(ref _valueColumn, capacity);
        }

        if (_timestampColumn is not null)
        {
            Array.Resize(ref _timestampColumn, capacity);
        }
    }

    // The values added so far as floats, in an array of `length` (at least Count).
    private float[] LevelsAsValues(int length = -1)
    {
        var values = new float[length < 0 ? Count : length];
        for (var row = 0; row < Count; row++)
        {
            values[row] = _levels![_levelColumn![row]];
        }

        return values;
    }
}
