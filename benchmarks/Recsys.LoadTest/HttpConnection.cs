using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

/// <summary>
/// One virtual user's keep-alive HTTP/1.1 connection: a request's bytes are written as they are and the answer is read
/// straight from the socket into one reused buffer (status line, headers, a <c>Content-Length</c>, chunked or
/// read-to-close body). The load generator shares the server's two cores, and <see cref="HttpClient"/> spent about
/// twice wrk's CPU per request (its request and response objects, headers collections and pool); this is what wrk
/// does. Not thread-safe: one request at a time.
/// </summary>
internal sealed class HttpConnection : IDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private readonly DnsEndPoint _endPoint;
    private Socket? _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private byte[] _body = new byte[16 * 1024];
    private int _start;
    private int _end;
    private long _since;
    private bool _expired;

    public HttpConnection(DnsEndPoint endPoint) => _endPoint = endPoint;

    /// <summary>Gets the body of the last answer (de-chunked).</summary>
    public ReadOnlySpan<byte> Body => _body.AsSpan(0, BodyLength);

    private int BodyLength { get; set; }

    /// <summary>
    /// Sends one request and reads its answer; returns the status code. A connection the server had closed while it was
    /// idle (end of stream before any byte of the answer) is reopened and the request sent once more, as HttpClient does.
    /// </summary>
    /// <exception cref="IOException">The connection failed or the answer is not HTTP/1.x.</exception>
    /// <exception cref="TimeoutException">The answer took longer than the watchdog allows (<see cref="Expire"/>).</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> SendAsync(ReadOnlyMemory<byte> request, bool head = false)
    {
        Volatile.Write(ref _expired, false);
        Volatile.Write(ref _since, Stopwatch.GetTimestamp());
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var reused = _socket is not null;
                try
                {
                    if (_socket is null)
                    {
                        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        _socket = socket;
                        await socket.ConnectAsync(_endPoint);
                        _start = _end = 0;
                    }

                    await _socket.SendAsync(request, SocketFlags.None);
                    return await ReadAnswerAsync(head);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
                {
                    // A keep-alive connection the server closed while it was idle: end of stream or a reset before any
                    // byte of the answer.
                    var idleClose = reused && attempt == 0
                        && e is EndOfAnswerException { BeforeAnswer: true } or SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown };
                    Close();
                    if (Volatile.Read(ref _expired))
                    {
                        throw new TimeoutException("no answer within the timeout");
                    }

                    if (!idleClose)
                    {
                        if (e is IOException)
                        {
                            throw;
                        }

                        throw new IOException(e.Message, e);
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref _since, 0);
        }
    }

    /// <summary>
    /// Called by a watchdog: closes the connection when its request has waited longer than <paramref name="timeout"/>
    /// Stopwatch ticks at <paramref name="now"/>, so its pending receive fails with <see cref="TimeoutException"/>.
    /// </summary>
    public void Expire(long now, long timeout)
    {
        var since = Volatile.Read(ref _since);
        if (since != 0 && now - since > timeout)
        {
            Volatile.Write(ref _expired, true);
            _socket?.Dispose();
        }
    }

    public void Dispose() => Close();

    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
        _start = _end = 0;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadAnswerAsync(bool head)
    {
        BodyLength = 0;
        var first = true;
        while (true)
        {
            int headerEnd;
            while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf(HeaderEnd)) < 0)
            {
                await FillAsync(beforeAnswer: first && _end == _start);
            }

            first = false;
            var (status, length, chunked, close) = ParseHead(_buffer.AsSpan(_start, headerEnd + 2));
            _start += headerEnd + HeaderEnd.Length;
            if (status < 200)
            {
                continue; // 100 Continue and other interim answers precede the real one
            }

            if (head || status is 204 or 304)
            {
            }
            else if (chunked)
            {
                await ReadChunkedAsync();
            }
            else if (length is { } n)
            {
                await EnsureAsync(n);
                Append(_buffer.AsSpan(_start, n));
                _start += n;
            }
            else
            {
                // Neither a length nor chunks: the body runs to the end of the connection.
                while (await FillAsync(beforeAnswer: false, endAllowed: true))
                {
                }

                Append(_buffer.AsSpan(_start, _end - _start));
                close = true;
            }

            if (close)
            {
                Close();
            }

            return status;
        }
    }

    private async ValueTask ReadChunkedAsync()
    {
        while (true)
        {
            var line = await ReadLineAsync();
            var size = _buffer.AsSpan(line.Start, line.Length);
            var extension = size.IndexOf((byte)';');
            if (extension >= 0)
            {
                size = size[..extension];
            }

            if (!Utf8Parser.TryParse(size.Trim((byte)' '), out int chunk, out var used, 'X') || used != size.Trim((byte)' ').Length || chunk < 0)
            {
                throw new IOException($"the server sent a chunk size that is not hexadecimal: '{Encoding.ASCII.GetString(size)}'");
            }

            if (chunk == 0)
            {
                // Trailers, if any, end with an empty line.
                while ((await ReadLineAsync()).Length > 0)
                {
                }

                return;
            }

            await EnsureAsync(chunk + 2);
            Append(_buffer.AsSpan(_start, chunk));
            _start += chunk + 2;
        }
    }

    private async ValueTask<(int Start, int Length)> ReadLineAsync()
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            await FillAsync(beforeAnswer: false);
        }

        var line = (_start, end);
        _start += end + 2;
        return line;
    }

    private async ValueTask EnsureAsync(int count)
    {
        while (_end - _start < count)
        {
            await FillAsync(beforeAnswer: false, want: count);
        }
    }

    // Reads more bytes after the unread ones; false (only with endAllowed) at the end of the stream.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAsync(bool beforeAnswer, bool endAllowed = false, int want = 0)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length || _buffer.Length - _start < want)
        {
            var unread = _end - _start;
            var target = unread < _buffer.Length / 2 && want <= _buffer.Length ? _buffer : new byte[Math.Max(_buffer.Length * 2, want)];
            Buffer.BlockCopy(_buffer, _start, target, 0, unread);
            _buffer = target;
            _start = 0;
            _end = unread;
        }

        var read = await _socket!.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None);
        if (read == 0)
        {
            return endAllowed ? false : throw new EndOfAnswerException(beforeAnswer);
        }

        _end += read;
        return true;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (BodyLength + bytes.Length > _body.Length)
        {
            Array.Resize(ref _body, Math.Max(_body.Length * 2, BodyLength + bytes.Length));
        }

        bytes.CopyTo(_body.AsSpan(BodyLength));
        BodyLength += bytes.Length;
    }

    private static (int Status, int? Length, bool Chunked, bool Close) ParseHead(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' '
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out _))
        {
            throw new IOException($"the server's answer does not start with an HTTP/1.x status line: '{Encoding.ASCII.GetString(statusLine[..Math.Min(statusLine.Length, 60)])}'");
        }

        var close = statusLine[7] == (byte)'0'; // HTTP/1.0 closes unless it says keep-alive
        int? length = null;
        var chunked = false;
        for (var rest = head[(lineEnd + 2)..]; !rest.IsEmpty;)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = rest[..end];
            rest = rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                length = Utf8Parser.TryParse(value, out int n, out var used) && used == value.Length && n >= 0
                    ? n
                    : throw new IOException($"the server sent Content-Length '{Encoding.ASCII.GetString(value)}'");
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = Ascii.EqualsIgnoreCase(value, "chunked"u8) || value.EndsWith("chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                close = Ascii.EqualsIgnoreCase(value, "close"u8) || (close && !Ascii.EqualsIgnoreCase(value, "keep-alive"u8));
            }
        }

        return (status, length, chunked, close);
    }

    /// <summary>The server closed the connection in the middle of (or before) an answer.</summary>
    private sealed class EndOfAnswerException(bool beforeAnswer)
        : IOException(beforeAnswer ? "the server closed the connection before answering" : "the server closed the connection in the middle of its answer")
    {
        public bool BeforeAnswer { get; } = beforeAnswer;
    }
}
