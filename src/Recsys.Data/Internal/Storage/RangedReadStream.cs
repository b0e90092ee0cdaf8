namespace Recsys.Data.Internal.Storage;

// A read-only, seekable view of a remote object of known length that fetches what is read in windows of ranged
// requests: Parquet seeks to the footer, then to each column chunk it needs, so only those bytes cross the network.
// While a window is consumed the next one is already requested (read-ahead), so a sequential reader overlaps the
// network with its own work and two range requests are in flight; a seek elsewhere drops the read-ahead.
internal sealed class RangedReadStream(long length, Func<long, int, Task<byte[]>> fetch, int window = 4 << 20) : Stream
{
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

    private void Fill(int wanted)
    {
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
        _ahead?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        _ahead = null;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => length + offset,
    };

    protected override void Dispose(bool disposing)
    {
        Abandon();
        base.Dispose(disposing);
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
