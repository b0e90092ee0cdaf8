using System.Buffers.Binary;

namespace Recsys.Data;

/// <summary>
/// Interactions read to files on disk instead of into memory, for a trainer that streams them (biased matrix
/// factorization beyond memory): the ids are interned in memory, the rows go to one file per 65,536 users, 10 bytes a
/// row. Made by <c>InteractionSource.SpoolAsync</c> in Recsys.Data; <see cref="Dispose"/> deletes the files.
/// </summary>
/// <remarks>
/// <para>Duplicated (user, item) pairs are kept as read; the trainer keeps the one read last, as a dataset built without
/// timestamps does. Timestamps are not kept.</para>
/// <para>With a holdout fraction, a pair goes to <see cref="Holdout"/> (in memory) instead of the files when a hash of its
/// user and item ids and the seed falls below the fraction: the same pairs every time, whatever the order or the
/// rest of the data, so a model trained on one spool never learned the held-out pairs of a later one. A user or item
/// whose every pair is held out is still one of the spool's ids, with no rating.</para>
/// </remarks>
public sealed class InteractionSpool : IDisposable
{
    internal const int DefaultChunkBits = 16;
    internal const int RecordBytes = 10;
    private const int BufferBytes = 1 << 18;
    private readonly IdInterner _userIds = new();
    private readonly IdInterner _itemIds = new();
    private readonly List<ChunkWriter> _chunks = [];
    private readonly double _holdoutFraction;
    private readonly ulong _holdoutSeed;
    private readonly InteractionDatasetBuilder? _holdoutBuilder;
    private readonly System.Security.Cryptography.IncrementalHash _fingerprint = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
    private readonly byte[] _hashBuffer = new byte[12 << 12];
    private int _hashUsed;
    private int[] _userCounts = new int[1024];
    private int[] _itemCounts = new int[1024];
    private ulong[] _userHashes = new ulong[1024];
    private ulong[] _itemHashes = new ulong[1024];
    private IdMap? _users;
    private IdMap? _items;
    private InteractionDataset? _holdout;
    private string? _fingerprintText;
    private bool _disposed;

    // The files go in a new folder inside `parent`, the only thing Dispose deletes.
    internal InteractionSpool(string parent, int chunkBits = DefaultChunkBits, double holdoutFraction = 0, ulong holdoutSeed = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(parent);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkBits, 16);
        if (!(holdoutFraction is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(holdoutFraction), holdoutFraction, "The holdout fraction is at least 0 and below 1.");
        }

        (_holdoutFraction, _holdoutSeed) = (holdoutFraction, holdoutSeed);
        _holdoutBuilder = holdoutFraction > 0 ? new InteractionDatasetBuilder(0, timestamps: false, levels: true) : null;
        Directory = ScratchFolder.Create(parent, "recsys-spool-");
        ChunkBits = chunkBits;
    }

    /// <summary>Gets the folder holding the spooled rows (created inside the folder given, deleted by <see cref="Dispose"/>).</summary>
    public string Directory { get; }

    /// <summary>Gets the number of rows spooled, duplicated pairs included.</summary>
    public long Count { get; private set; }

    /// <summary>Gets the users, in order of first appearance.</summary>
    /// <exception cref="InvalidOperationException">The spool is still being written.</exception>
    public IdMap Users => _users ?? throw new InvalidOperationException("The spool is still being written.");

    /// <summary>Gets the items, in order of first appearance.</summary>
    /// <exception cref="InvalidOperationException">The spool is still being written.</exception>
    public IdMap Items => _items ?? throw new InvalidOperationException("The spool is still being written.");

    /// <summary>Gets the source read, as <see cref="InteractionReadResult.Source"/>.</summary>
    public string Source { get; private set; } = "";

    /// <summary>Gets the Delta table version read, or <see langword="null"/> for other sources.</summary>
    public long? SourceVersion { get; private set; }

    /// <summary>Gets the rows read, bad rows included.</summary>
    public long RowsRead { get; private set; }

    /// <summary>Gets the bad rows skipped (under <see cref="BadRowPolicy.Skip"/>).</summary>
    public long RowsSkipped { get; private set; }

    /// <summary>Gets the first skipped rows, at most <see cref="InteractionReadResult.MaxListedSkippedRows"/>.</summary>
    public IReadOnlyList<SkippedRow> FirstSkippedRows { get; private set; } = [];

    /// <summary>Gets the held-out pairs (a dataset in memory), or <see langword="null"/> when the spool holds none out.</summary>
    /// <exception cref="InvalidOperationException">The spool is still being written.</exception>
    public InteractionDataset? Holdout => _users is null ? throw new InvalidOperationException("The spool is still being written.") : _holdout;

    /// <summary>Gets a SHA-256 of the rows as read (user, item, value, in order, held-out ones included) and of the ids: the same source read the same way has the same fingerprint.</summary>
    /// <exception cref="InvalidOperationException">The spool is still being written.</exception>
    public string Fingerprint => _fingerprintText ?? throw new InvalidOperationException("The spool is still being written.");

    internal int ChunkBits { get; }

    internal int ChunkCount => _chunks.Count;

    /// <summary>The rows of every user, duplicates included (the first <see cref="IdMap.Count"/> of <see cref="Users"/> count).</summary>
    internal ReadOnlySpan<int> UserCounts => _userCounts.AsSpan(0, _userIds.Count);

    /// <summary>The rows of every item, duplicates included.</summary>
    internal ReadOnlySpan<int> ItemCounts => _itemCounts.AsSpan(0, _itemIds.Count);

    internal string ChunkPath(int chunk) => _chunks[chunk].Path;

    internal int AddUser(ReadOnlySpan<char> userId) => Intern(_userIds, ref _userHashes, userId, nameof(userId));

    internal int AddItem(ReadOnlySpan<char> itemId) => Intern(_itemIds, ref _itemHashes, itemId, nameof(itemId));

    internal void Add(int user, int item, float value)
    {
        if (_users is not null)
        {
            throw new InvalidOperationException("The spool is complete.");
        }

        if ((uint)user >= (uint)_userIds.Count || (uint)item >= (uint)_itemIds.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(user), $"User {user} or item {item} has not been registered.");
        }

        if (!float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "An interaction value must be a finite number.");
        }

        Fingerprint12(user, item, value);
        if (_holdoutBuilder is not null && IsHeldOut(_userHashes[user], _itemHashes[item]))
        {
            _holdoutBuilder.Add(_userIds.IdAt(user), _itemIds.IdAt(item), value, 0);
            return;
        }

        var chunk = user >> ChunkBits;
        while (_chunks.Count <= chunk)
        {
            _chunks.Add(new ChunkWriter(Path.Combine(Directory, $"chunk-{_chunks.Count:D5}.bin")));
        }

        _chunks[chunk].Write((ushort)(user & ((1 << ChunkBits) - 1)), item, value);
        Grow(ref _userCounts, user)++;
        Grow(ref _itemCounts, item)++;
        Count++;
    }

    internal void SetSource(string source, long? version, long rowsRead, long rowsSkipped, IReadOnlyList<SkippedRow> firstSkipped) =>
        (Source, SourceVersion, RowsRead, RowsSkipped, FirstSkippedRows) = (source, version, rowsRead, rowsSkipped, firstSkipped);

    /// <summary>Flushes and closes the files and freezes the ids; nothing can be added afterwards.</summary>
    internal void Complete()
    {
        foreach (var chunk in _chunks)
        {
            chunk.Close();
        }

        // Ids whose every row was held out have no count yet.
        Grow(ref _userCounts, Math.Max(0, _userIds.Count - 1));
        Grow(ref _itemCounts, Math.Max(0, _itemIds.Count - 1));
        _fingerprint.AppendData(_hashBuffer.AsSpan(0, _hashUsed));
        foreach (var ids in (IdInterner[])[_userIds, _itemIds])
        {
            for (var k = 0; k < ids.Count; k++)
            {
                _fingerprint.AppendData(System.Text.Encoding.UTF8.GetBytes(ids.IdAt(k)));
                _fingerprint.AppendData([0]);
            }
        }

        _fingerprintText = Convert.ToHexStringLower(_fingerprint.GetHashAndReset());
        _holdout = _holdoutBuilder?.BuildAndClear();
        _users = _userIds.ToIdMap();
        _items = _itemIds.ToIdMap();
    }

    /// <summary>Deletes the spooled files and their folder.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _fingerprint.Dispose();
        foreach (var chunk in _chunks)
        {
            chunk.Close();
        }

        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    /// <summary>Reads a record of a chunk file, as <c>ChunkWriter</c> writes it: the user's index within the chunk, the item, the value.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static (int LocalUser, int Item, float Value) ReadRecord(ReadOnlySpan<byte> record) =>
        (BinaryPrimitives.ReadUInt16LittleEndian(record), BinaryPrimitives.ReadInt32LittleEndian(record[2..]), BinaryPrimitives.ReadSingleLittleEndian(record[6..]));

    // A stable 64-bit hash of an id (FNV-1a over its UTF-16 code units, then SplitMix64's finalizer), kept a user and
    // an item when first interned: the holdout's decision costs two array reads a row.
    private static int Intern(IdInterner ids, ref ulong[] hashes, ReadOnlySpan<char> id, string parameterName)
    {
        var before = ids.Count;
        var index = ids.Intern(id, parameterName);
        if (index == before)
        {
            var hash = 14695981039346656037UL;
            foreach (var c in id)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            Grow(ref hashes, index) = Mix(hash);
        }

        return index;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private bool IsHeldOut(ulong userHash, ulong itemHash) =>
        (Mix(userHash ^ Mix(itemHash + _holdoutSeed)) >> 11) * (1.0 / (1UL << 53)) < _holdoutFraction;

    private void Fingerprint12(int user, int item, float value)
    {
        if (_hashUsed == _hashBuffer.Length)
        {
            _fingerprint.AppendData(_hashBuffer);
            _hashUsed = 0;
        }

        var row = _hashBuffer.AsSpan(_hashUsed, 12);
        BinaryPrimitives.WriteInt32LittleEndian(row, user);
        BinaryPrimitives.WriteInt32LittleEndian(row[4..], item);
        BinaryPrimitives.WriteSingleLittleEndian(row[8..], value);
        _hashUsed += 12;
    }

    private static ref T Grow<T>(ref T[] counts, int index)
    {
        if (index >= counts.Length)
        {
            Array.Resize(ref counts, Math.Max(index + 1, counts.Length * 2));
        }

        return ref counts[index];
    }

    private sealed class ChunkWriter(string path)
    {
        private FileStream? _file = new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        private byte[]? _buffer = new byte[BufferBytes];
        private int _used;

        public string Path { get; } = path;

        public void Write(ushort localUser, int item, float value)
        {
            if (_used + RecordBytes > BufferBytes)
            {
                Flush();
            }

            var record = _buffer.AsSpan(_used, RecordBytes);
            BinaryPrimitives.WriteUInt16LittleEndian(record, localUser);
            BinaryPrimitives.WriteInt32LittleEndian(record[2..], item);
            BinaryPrimitives.WriteSingleLittleEndian(record[6..], value);
            _used += RecordBytes;
        }

        public void Close()
        {
            if (_file is null)
            {
                return;
            }

            Flush();
            _file.Dispose();
            (_file, _buffer) = (null, null);
        }

        private void Flush()
        {
            _file!.Write(_buffer.AsSpan(0, _used));
            _used = 0;
        }
    }
}
