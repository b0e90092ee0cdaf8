using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Recsys.Data;

namespace Recsys.Factorization;

/// <summary>
/// <see cref="SgdGrid"/>'s stratified schedule with the blocks on disk, for training beyond memory (LIBMF's
/// <c>--disk</c>): the rows of an <see cref="InteractionSpool"/> are sorted into G × G block files once, and an epoch
/// reads each block whole when its turn comes, so memory holds the factors, the ids and a block a thread.
/// </summary>
/// <remarks>
/// <para>User and item groups are index ranges cut by rating counts, as in memory (<see cref="SgdGrid"/>), so with the
/// same data, seed and threads a fit from disk makes the updates of a fit in memory, in the same order. A spool chunk
/// is read once: its rows are placed user by user (the counts are known), each user's items sorted (already sorted in
/// a file written user by user) and duplicated pairs dropped, keeping the one read last (as a dataset built without
/// timestamps does); then its users are split at the user groups' bounds and each user's run at the item groups'.</para>
/// <para>A block file is a sequence of segments, one a chunk's part of the user group: first user, users, ratings (3
/// ints); a rating count a user (ints); the items (ints); the values (floats) — 8 bytes a rating, 4-byte aligned,
/// read as spans.</para>
/// </remarks>
internal sealed class SgdDiskGrid : IDisposable
{
    private const int HeaderInts = 3;
    private readonly int _groups;
    private readonly int _threads;
    private readonly ulong _seed;
    private readonly string[] _paths;
    private readonly ConcurrentBag<byte[]> _buffers = [];
    private int _maxBlockBytes;

    private SgdDiskGrid(string directory, int groups, int threads, ulong seed, int users)
    {
        Directory = directory;
        _groups = groups;
        _threads = threads;
        _seed = seed;
        _paths = new string[groups * groups];
        for (var b = 0; b < _paths.Length; b++)
        {
            _paths[b] = Path.Combine(directory, $"block-{b / groups:D2}-{b % groups:D2}.bin");
        }

        SeenCounts = new int[users];
        MinValue = float.PositiveInfinity;
        MaxValue = float.NegativeInfinity;
    }

    /// <summary>Gets the folder of the block files (deleted by <see cref="Dispose"/>).</summary>
    public string Directory { get; }

    /// <summary>Gets the number of groups G.</summary>
    public int Groups => _groups;

    /// <summary>Gets the distinct ratings of every user.</summary>
    public int[] SeenCounts { get; }

    /// <summary>Gets the distinct (user, item) ratings.</summary>
    public long Count { get; private set; }

    /// <summary>Gets the duplicated pairs dropped.</summary>
    public long DuplicatesDropped { get; private set; }

    /// <summary>Gets the sum of the values kept, added chunk by chunk, user by user.</summary>
    public double Sum { get; private set; }

    public float MinValue { get; private set; }

    public float MaxValue { get; private set; }

    /// <summary>Gets the largest block file, in bytes: what a thread holds while it runs a block.</summary>
    public long MaxBlockBytes => _maxBlockBytes;

    /// <summary>Sorts a spool's rows into block files in a new folder inside <paramref name="parent"/>.</summary>
    public static SgdDiskGrid Build(InteractionSpool spool, string parent, int threads, int stride, ulong seed, CancellationToken cancellationToken)
    {
        var users = spool.Users.Count;
        var items = spool.Items.Count;
        threads = Math.Max(1, Math.Min(threads, Math.Min(users, items)));
        var groups = SgdGrid.GroupCount(spool.Count, users, items, threads, stride);
        var userStarts = SgdGrid.Cut(Widen(spool.UserCounts), groups);
        var itemStarts = SgdGrid.Cut(Widen(spool.ItemCounts), groups);
        var directory = ScratchFolder.Create(parent, "recsys-blocks-");
        var grid = new SgdDiskGrid(directory, groups, threads, seed, users);
        try
        {
            var sizes = grid.WriteBlocks(spool, userStarts, itemStarts, cancellationToken);
            var max = sizes.Max();
            if (max > Array.MaxLength)
            {
                throw new InvalidOperationException($"A block of the rating matrix takes {max:N0} bytes, more than one array holds: too many ratings for {groups} groups.");
            }

            grid._maxBlockBytes = (int)max;
            return grid;
        }
        catch
        {
            grid.Dispose();
            throw;
        }
    }

    /// <summary>Runs one epoch of the stratified schedule over the block files.</summary>
    public double RunEpoch(int epoch, Func<int, int, double> work) => SgdGrid.RunEpoch(_groups, _threads, _seed, epoch, work);

    /// <summary>Reads block (<paramref name="userGroup"/>, <paramref name="itemGroup"/>) and runs <paramref name="run"/> on each of its segments: first user, ratings a user, items, values.</summary>
    public double RunBlock<TState>(int userGroup, int itemGroup, TState state, SegmentWork<TState> run)
    {
        if (!_buffers.TryTake(out var buffer))
        {
            buffer = new byte[_maxBlockBytes];
        }

        try
        {
            var length = ReadBlock(_paths[(userGroup * _groups) + itemGroup], buffer);
            var sum = 0.0;
            for (var at = 0; at < length;)
            {
                var header = MemoryMarshal.Cast<byte, int>(buffer.AsSpan(at, HeaderInts * sizeof(int)));
                var (first, users, ratings) = (header[0], header[1], header[2]);
                at += HeaderInts * sizeof(int);
                var counts = MemoryMarshal.Cast<byte, int>(buffer.AsSpan(at, users * sizeof(int)));
                at += users * sizeof(int);
                var items = MemoryMarshal.Cast<byte, int>(buffer.AsSpan(at, ratings * sizeof(int)));
                at += ratings * sizeof(int);
                var values = MemoryMarshal.Cast<byte, float>(buffer.AsSpan(at, ratings * sizeof(float)));
                at += ratings * sizeof(float);
                sum += run(state, first, counts, items, values);
            }

            return sum;
        }
        finally
        {
            _buffers.Add(buffer);
        }
    }

    /// <summary>
    /// Writes every user's distinct items, in user order and sorted, through <paramref name="write"/>: user group by
    /// user group, the group's G block files read side by side segment by segment.
    /// </summary>
    public void WriteSeen(Action<ReadOnlySpan<int>> write, CancellationToken cancellationToken)
    {
        var g = _groups;
        var output = new int[1 << 20];
        var used = 0;
        for (var userGroup = 0; userGroup < g; userGroup++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var files = new FileStream[g];
            try
            {
                for (var k = 0; k < g; k++)
                {
                    files[k] = new FileStream(_paths[(userGroup * g) + k], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
                }

                var counts = new int[g][];
                var items = new int[g][];
                while (files[0].Position < files[0].Length)
                {
                    var users = 0;
                    for (var k = 0; k < g; k++)
                    {
                        var header = ReadInts(files[k], HeaderInts, null);
                        users = header[1];
                        counts[k] = ReadInts(files[k], users, counts[k]);
                        items[k] = ReadInts(files[k], header[2], items[k]);
                        files[k].Seek((long)header[2] * sizeof(float), SeekOrigin.Current);
                    }

                    var starts = new int[g];
                    for (var u = 0; u < users; u++)
                    {
                        for (var k = 0; k < g; k++)
                        {
                            var run = items[k].AsSpan(starts[k], counts[k][u]);
                            starts[k] += run.Length;
                            while (!run.IsEmpty)
                            {
                                var take = Math.Min(run.Length, output.Length - used);
                                run[..take].CopyTo(output.AsSpan(used));
                                used += take;
                                run = run[take..];
                                if (used == output.Length)
                                {
                                    write(output);
                                    used = 0;
                                }
                            }
                        }
                    }
                }
            }
            finally
            {
                foreach (var file in files)
                {
                    file?.Dispose();
                }
            }
        }

        write(output.AsSpan(0, used));
    }

    /// <summary>Deletes the block files.</summary>
    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static int ReadBlock(string path, byte[] buffer)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = (int)RandomAccess.GetLength(handle);
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(read, length - read), read);
            if (n == 0)
            {
                throw new EndOfStreamException($"The block file '{path}' ended after {read:N0} of its {length:N0} bytes.");
            }

            read += n;
        }

        return length;
    }

    // `count` ints from the stream, into `reuse` when it is long enough (the first `count` of the array returned).
    private static int[] ReadInts(FileStream file, int count, int[]? reuse)
    {
        var values = reuse is not null && reuse.Length >= count ? reuse : new int[Math.Max(count, HeaderInts)];
        file.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan(0, count)));
        return values;
    }

    private static long[] Widen(ReadOnlySpan<int> counts)
    {
        var wide = new long[counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            wide[i] = counts[i];
        }

        return wide;
    }

    // Pass over the spool, chunk by chunk, with every block file open (at most 400, 64 KiB of buffer each): a chunk's
    // users are split at the user groups' bounds, each part's rows at the item groups'.
    private long[] WriteBlocks(InteractionSpool spool, int[] userStarts, int[] itemStarts, CancellationToken cancellationToken)
    {
        var g = _groups;
        var files = new FileStream[g * g];
        var sizes = new long[g * g];
        try
        {
            for (var b = 0; b < files.Length; b++)
            {
                files[b] = new FileStream(_paths[b], FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            }

            var chunk = new ChunkRows();
            for (var c = 0; c < spool.ChunkCount; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                chunk.Load(spool, c, Sum);
                (Count, DuplicatesDropped, Sum) = (Count + chunk.Rows, DuplicatesDropped + chunk.Dropped, chunk.Sum);
                (MinValue, MaxValue) = (Math.Min(MinValue, chunk.Min), Math.Max(MaxValue, chunk.Max));
                chunk.Counts.CopyTo(SeenCounts.AsSpan(chunk.FirstUser));
                var end = chunk.FirstUser + chunk.Counts.Length;
                for (var userGroup = 0; userGroup < g; userGroup++)
                {
                    var (from, to) = (Math.Max(chunk.FirstUser, userStarts[userGroup]), Math.Min(end, userStarts[userGroup + 1]));
                    for (var k = 0; k < g && from < to; k++)
                    {
                        chunk.WriteSegment(files[(userGroup * g) + k], from, to, itemStarts[k], itemStarts[k + 1]);
                    }
                }
            }
        }
        finally
        {
            for (var b = 0; b < files.Length; b++)
            {
                if (files[b] is { } file)
                {
                    sizes[b] = file.Length;
                    file.Dispose();
                }
            }
        }

        return sizes;
    }

    /// <summary>The work on one segment of a block: its first user, the ratings of each of its users, their items and values; returns the squared error.</summary>
    public delegate double SegmentWork<in TState>(TState state, int firstUser, ReadOnlySpan<int> counts, ReadOnlySpan<int> items, ReadOnlySpan<float> values);

    // One spool chunk's rows, user by user, each user's items sorted and distinct; arrays reused chunk after chunk.
    private sealed class ChunkRows
    {
        private int[] _offsets = [];
        private int[] _items = [];
        private float[] _values = [];
        private long[] _keys = [];
        private float[] _scratch = [];
        private int[] _segment = [];
        private int[] _starts = [];

        public int FirstUser { get; private set; }

        public int[] Counts { get; private set; } = [];

        public long Rows { get; private set; }

        public long Dropped { get; private set; }

        /// <summary>Gets the running sum: the one given to <see cref="Load"/> plus this chunk's values, added in order.</summary>
        public double Sum { get; private set; }

        public float Min { get; private set; }

        public float Max { get; private set; }

        // sum: the running sum of the values before this chunk's, which its values are added to one by one (the sum
        // of a dataset's values is added up so, row by row, and μ is then the same double).
        public void Load(InteractionSpool spool, int chunk, double sum)
        {
            FirstUser = chunk << spool.ChunkBits;
            var users = Math.Min(spool.Users.Count - FirstUser, 1 << spool.ChunkBits);
            var spooledCounts = spool.UserCounts.Slice(FirstUser, users);
            Counts = new int[users];
            EnsureLength(ref _offsets, users + 1);
            long total = 0;
            for (var u = 0; u < users; u++)
            {
                _offsets[u] = (int)total;
                total += spooledCounts[u];
            }

            if (total > Array.MaxLength)
            {
                throw new InvalidOperationException($"Users {FirstUser:N0} to {FirstUser + users - 1:N0} have {total:N0} ratings, more than one array holds.");
            }

            _offsets[users] = (int)total;
            EnsureLength(ref _items, (int)total);
            EnsureLength(ref _values, (int)total);
            Place(spool.ChunkPath(chunk), users);

            (Rows, Dropped, Sum, Min, Max) = (0, 0, sum, float.PositiveInfinity, float.NegativeInfinity);
            for (var u = 0; u < users; u++)
            {
                var start = _offsets[u];
                var kept = SortDistinct(start, _offsets[u + 1] - start);
                Counts[u] = kept;
                Dropped += _offsets[u + 1] - start - kept;
                Rows += kept;
                foreach (var value in _values.AsSpan(start, kept))
                {
                    Sum += value;
                    Min = Math.Min(Min, value);
                    Max = Math.Max(Max, value);
                }
            }
        }

        /// <summary>Writes the segment of users [<paramref name="fromUser"/>, <paramref name="toUser"/>) and items [<paramref name="firstItem"/>, <paramref name="endItem"/>).</summary>
        public void WriteSegment(FileStream file, int fromUser, int toUser, int firstItem, int endItem)
        {
            var (first, users) = (fromUser - FirstUser, toUser - fromUser);
            EnsureLength(ref _segment, users);
            EnsureLength(ref _starts, users);
            var counts = _segment.AsSpan(0, users);
            var starts = _starts.AsSpan(0, users);
            var total = 0;
            for (var u = 0; u < users; u++)
            {
                var start = _offsets[first + u];
                var run = _items.AsSpan(start, Counts[first + u]);
                var from = LowerBound(run, firstItem);
                starts[u] = start + from;
                counts[u] = LowerBound(run, endItem) - from;
                total += counts[u];
            }

            Span<int> header = [fromUser, users, total];
            file.Write(MemoryMarshal.AsBytes(header));
            file.Write(MemoryMarshal.AsBytes(counts));
            for (var u = 0; u < users; u++)
            {
                file.Write(MemoryMarshal.AsBytes(_items.AsSpan(starts[u], counts[u])));
            }

            for (var u = 0; u < users; u++)
            {
                file.Write(MemoryMarshal.AsBytes(_values.AsSpan(starts[u], counts[u])));
            }
        }

        private static int LowerBound(ReadOnlySpan<int> sorted, int value)
        {
            var index = sorted.BinarySearch(value);
            if (index < 0)
            {
                return ~index;
            }

            while (index > 0 && sorted[index - 1] == value)
            {
                index--;
            }

            return index;
        }

        private static void EnsureLength<T>(ref T[] array, int length)
        {
            if (array.Length < length)
            {
                array = new T[Math.Max(length, (int)Math.Min(Array.MaxLength, array.Length * 3L / 2))];
            }
        }

        // Each record to its user's next place: the rows of a user stay in the order read.
        private void Place(string path, int users)
        {
            var next = _offsets.AsSpan(0, users).ToArray();
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            var buffer = new byte[InteractionSpool.RecordBytes << 16];
            int read;
            while ((read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
            {
                if (read % InteractionSpool.RecordBytes != 0)
                {
                    throw new InvalidDataException($"The spool file '{path}' ends inside a record.");
                }

                for (var at = 0; at < read; at += InteractionSpool.RecordBytes)
                {
                    var (user, item, value) = InteractionSpool.ReadRecord(buffer.AsSpan(at, InteractionSpool.RecordBytes));
                    if (user >= users)
                    {
                        throw new InvalidDataException($"The spool file '{path}' names user {user} of a chunk of {users}.");
                    }

                    var row = next[user]++;
                    _items[row] = item;
                    _values[row] = value;
                }
            }
        }

        // Sorts a user's run by item and keeps, of equal items, the one read last; returns the run's new length.
        private int SortDistinct(int start, int length)
        {
            var items = _items.AsSpan(start, length);
            var ascending = true;
            for (var i = 1; i < items.Length && ascending; i++)
            {
                ascending = items[i - 1] < items[i];
            }

            if (ascending)
            {
                return length;
            }

            EnsureLength(ref _keys, length);
            EnsureLength(ref _scratch, length);
            var keys = _keys.AsSpan(0, length);
            var values = _values.AsSpan(start, length);
            values.CopyTo(_scratch);
            for (var i = 0; i < length; i++)
            {
                keys[i] = ((long)items[i] << 32) | (uint)i;
            }

            keys.Sort();
            var kept = 0;
            for (var i = 0; i < length; i++)
            {
                var item = (int)(keys[i] >> 32);
                if (i + 1 < length && (int)(keys[i + 1] >> 32) == item)
                {
                    continue; // a later read of the same item follows
                }

                items[kept] = item;
                values[kept] = _scratch[(int)(uint)keys[i]];
                kept++;
            }

            return kept;
        }
    }
}
