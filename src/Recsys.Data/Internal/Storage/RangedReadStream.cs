namespace Recsys.Data.Internal.Storage;

// A read-only, seekable view of a remote object of known length that fetches what is read in windows of ranged
// requests: Parquet seeks to the footer, then to each column chunk it needs, so only those bytes cross the network.
internal sealed class RangedReadStream(long length, Func<long, int, byte[]> fetch, int window = 4 << 20) : Stream
{
    private byte[] _buffer = [];
    private long _bufferStart = -1;
    private long _position;

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
            var size = (int)Math.Min(Math.Max(window, destination.Length), length - _position);
            _buffer = fetch(_position, size);
            _bufferStart = _position;
        }

        var available = (int)Math.Min(destination.Length, _bufferStart + _buffer.Length - _position);
        _buffer.AsSpan((int)(_position - _bufferStart), available).CopyTo(destination);
        _position += available;
        return available;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
