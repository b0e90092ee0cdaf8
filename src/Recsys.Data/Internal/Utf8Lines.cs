using System.Text;

namespace Recsys.Data.Internal;

/// <summary>
/// Lines of a UTF-8 file, decoded a block at a time into one reusable character buffer (no string per line): the
/// line breaks of <see cref="TextReader.ReadLine"/> (<c>\n</c>, <c>\r\n</c>, <c>\r</c>), a UTF-8 byte order mark skipped.
/// Invalid UTF-8 decodes to U+FFFD, as a <see cref="StreamReader"/> does.
/// </summary>
internal sealed class Utf8Lines
{
    private const int DefaultBlockSize = 1 << 20;
    private static readonly UTF8Encoding Decoder = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private readonly Stream _stream;
    private readonly long _length;
    private readonly int _blockSize;
    private byte[] _bytes;
    private char[] _chars;
    private int _byteCount;
    private int _charCount;
    private int _charPosition;
    private long _bytesConsumed;
    private long _linesDecoded;
    private bool _endOfStream;

    // blockSize: smaller only in tests, to put block boundaries everywhere.
    public Utf8Lines(Stream stream, int blockSize = DefaultBlockSize)
    {
        _blockSize = blockSize;
        _bytes = new byte[Math.Max(blockSize, 4)];
        _chars = new char[blockSize];
        _stream = stream;
        _length = stream.CanSeek ? stream.Length : -1;

        // A UTF-8 byte order mark is dropped; other first bytes stay for the first block.
        _byteCount = stream.ReadAtLeast(_bytes.AsSpan(0, 3), 3, throwOnEndOfStream: false);
        if (_bytes.AsSpan(0, _byteCount).SequenceEqual((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            _byteCount = 0;
            _bytesConsumed = 3;
        }
    }

    /// <summary>True when the stream starts with a UTF-16 or UTF-32 byte order mark (which this class does not decode); the position is left at 0.</summary>
    public static bool HasOtherByteOrderMark(Stream stream)
    {
        Span<byte> head = stackalloc byte[4];
        var read = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        stream.Position = 0;
        head = head[..read];
        return head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
            || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]);
    }

    /// <summary>The number of lines the file probably has, from the first block's line length; null for a short or unseekable file.</summary>
    public int? EstimateLines()
    {
        if (_length < 4L * _blockSize || _linesDecoded == 0 || _bytesConsumed == 0)
        {
            return null;
        }

        // 5 % over the first block's rate: the spare rows are reserved, never written, so they cost address space only.
        var estimate = 1.05 * _length * _linesDecoded / _bytesConsumed;
        return (int)Math.Min(Array.MaxLength, estimate + 1024);
    }

    public bool TryRead(out ReadOnlySpan<char> line)
    {
        while (true)
        {
            var rest = _chars.AsSpan(_charPosition, _charCount - _charPosition);
            var end = rest.IndexOfAny('\r', '\n');
            if (end >= 0 && !(rest[end] == '\r' && end == rest.Length - 1 && !_endOfStream))
            {
                line = rest[..end];
                var skip = rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? 2 : 1;
                _charPosition += end + skip;
                return true;
            }

            if (_endOfStream)
            {
                line = rest;
                _charPosition = _charCount;
                return !rest.IsEmpty;
            }

            Fill();
        }
    }

    // Decodes the next block up to and including its last line break; the bytes after it wait for the next block
    // (a break is ASCII, so no character is cut in two). A line longer than a block grows the buffers.
    private void Fill()
    {
        // Keep the undelivered characters (a '\r' at the end of the last block, or a line longer than a block).
        var pending = _charCount - _charPosition;
        if (pending > 0)
        {
            Array.Copy(_chars, _charPosition, _chars, 0, pending);
        }

        _charCount = pending;
        _charPosition = 0;
        if (_byteCount == _bytes.Length)
        {
            Array.Resize(ref _bytes, _bytes.Length * 2);
        }

        var read = _stream.Read(_bytes, _byteCount, _bytes.Length - _byteCount);
        _byteCount += read;
        _endOfStream = read == 0;
        var usable = _endOfStream ? _byteCount : _bytes.AsSpan(0, _byteCount).LastIndexOfAny((byte)'\n', (byte)'\r') + 1;
        if (usable == 0 && !_endOfStream)
        {
            return; // no line break in the block: read more before decoding
        }

        var bytes = _bytes.AsSpan(0, usable);
        var needed = _charCount + Decoder.GetMaxCharCount(bytes.Length);
        if (needed > _chars.Length)
        {
            Array.Resize(ref _chars, needed);
        }

        _charCount += Decoder.GetChars(bytes, _chars.AsSpan(_charCount));
        _linesDecoded += _chars.AsSpan(pending, _charCount - pending).Count('\n');
        var consumed = bytes.Length;
        _bytesConsumed += consumed;
        _bytes.AsSpan(consumed, _byteCount - consumed).CopyTo(_bytes);
        _byteCount -= consumed;
    }
}

/// <summary>The lines of delimited text: from a UTF-8 file in blocks, or from any <see cref="TextReader"/>.</summary>
internal sealed class LineSource
{
    private readonly Utf8Lines? _utf8;
    private readonly TextReader? _reader;

    public LineSource(Utf8Lines utf8) => _utf8 = utf8;

    public LineSource(TextReader reader) => _reader = reader;

    /// <summary>Reads the next line; the span is valid until the next call.</summary>
    public bool TryRead(out ReadOnlySpan<char> line)
    {
        if (_utf8 is not null)
        {
            return _utf8.TryRead(out line);
        }

        var text = _reader!.ReadLine();
        line = text;
        return text is not null;
    }

    public int? EstimateLines() => _utf8?.EstimateLines();
}
