namespace Recsys.Data.Internal.Storage;

// A read-only, seekable view of a remote object of known length that fetches what is read in windows of ranged
// requests: Parquet seeks to the footer, then to each column chunk it needs, so only those bytes cross the network.
// While a window is consumed the next one is already requested (read-ahead), so a sequential reader overlaps the
// network with its own work; a seek elsewhere drops the read-ahead. A reader that knows which ranges it will read
// (the column chunks of the next row groups, from the footer) announces them with Prefetch: they are fetched
// concurrently, at most `parallel` requests at a time, and reads inside them are served from what arrived.
internal sealed class RangedReadStream(long length, Func<long, int, Task<byte[]>> fetch, int window = 4 << 20, int parallel = 4) : Stream
{
    private readonly List<(long Start, int Length, Task<byte[]> Bytes)> _prefetched = [];
    private readonly SemaphoreSlim _slots = new(parallel);
    private byte[] _buffer = [];
    private long _bufferStart = -1;
    private long _position;
    private Task<byte[]>? _ahead;
    private long _aheadStart = -1;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        if (_position >= length || destination.Length == 0)
        {
            return 0;
        }

        if (_bufferStart < 0 || _position < _bufferStart || _position >= _bufferStart + _buffer.Length)
        {
            Fill(Math.Max(window, destination.Length));
        }

        var available = (int)Math.Min(destination.Length, _bufferStart + _buffer.Length - _position);
        _buffer.AsSpan((int)(_position - _bufferStart), available).CopyTo(destination);
        _position += available;
        return available;
    }

    // Ranges (offset, length) the reader will read soon, in any order: merged when less than 64 KiB apart, cut into
    // pieces of at most one window, and requested now unless already requested.
    public void Prefetch(IEnumerable<(long Offset, long Length)> ranges)
    {
        const long Gap = 64 << 10;
        long start = -1;
        long end = -1;
        foreach (var (offset, size) in ranges.Where(r => r.Length > 0 && r.Offset >= 0 && r.Offset < length).OrderBy(r => r.Offset))
        {
            if (start >= 0 && offset <= end + Gap)
            {
                end = Math.Max(end, Math.Min(length, offset + size));
                continue;
            }

            Request(start, end);
            (start, end) = (offset, Math.Min(length, offset + size));
        }

        Request(start, end);
    }

    private void Request(long start, long end)
    {
        for (var piece = start; start >= 0 && piece < end; piece += window)
        {
            if (!_prefetched.Exists(p => p.Start <= piece && piece < p.Start + p.Length))
            {
                var size = (int)Math.Min(window, end - piece);
                _prefetched.Add((piece, size, FetchInTurnAsync(piece, size)));
            }
        }
    }

    private async Task<byte[]> FetchInTurnAsync(long start, int size)
    {
        await _slots.WaitAsync().ConfigureAwait(false);
        try
        {
            return await fetch(start, size).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private void Fill(int wanted)
    {
        // Pieces wholly before the position are read past (Parquet reads forward through a row group): drop them.
        for (var k = _prefetched.Count - 1; k >= 0; k--)
        {
            if (_prefetched[k].Start + _prefetched[k].Length <= _position)
            {
                Observe(_prefetched[k].Bytes);
                _prefetched.RemoveAt(k);
            }
        }

        var found = _prefetched.FindIndex(p => p.Start <= _position && _position < p.Start + p.Length);
        if (found >= 0)
        {
            (_bufferStart, _, var bytes) = _prefetched[found];
            _prefetched.RemoveAt(found);
            _buffer = bytes.GetAwaiter().GetResult();
            return;
        }

        var size = (int)Math.Min(wanted, length - _position);
        if (_ahead is { } ahead && _aheadStart == _position) // a Read may return less than asked: the window is enough
        {
            _buffer = ahead.GetAwaiter().GetResult();
        }
        else
        {
            Abandon();
            _buffer = fetch(_position, size).GetAwaiter().GetResult();
        }

        _bufferStart = _position;
        _ahead = null;
        var next = _bufferStart + _buffer.Length;
        if (next < length)
        {
            _aheadStart = next;
            _ahead = fetch(next, (int)Math.Min(window, length - next));
        }
    }

    // A read-ahead nobody will use: its failure (if any) is observed, not raised on the finalizer thread.
    private void Abandon()
    {
        if (_ahead is { } ahead)
        {
            Observe(ahead);
        }

        _ahead = null;
    }

    private static void Observe(Task<byte[]> unused) =>
        unused.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => length + offset,
    };

    protected override void Dispose(bool disposing)
    {
        Abandon();
        foreach (var piece in _prefetched)
        {
            Observe(piece.Bytes);
        }

        _prefetched.Clear();
        base.Dispose(disposing);
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
