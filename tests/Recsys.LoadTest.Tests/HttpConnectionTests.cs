using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Recsys.LoadTest.Tests;

/// <summary>
/// The load generator's own HTTP/1.1 connection against a scripted TCP server that writes answers byte for byte:
/// each framing of a body, interim answers, closes, a server that answers garbage, the watchdog's timeout.
/// </summary>
public sealed class HttpConnectionTests
{
    private static readonly byte[] Get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray();

    [Fact]
    public async Task ContentLength_ReadsExactlyTheBody_AndKeepsTheConnectionForTheNext()
    {
        await using var server = new ScriptedServer(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
            "HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\n\r\nnot found");
        using var connection = new HttpConnection(server.EndPoint);

        Assert.Equal(200, await connection.SendAsync(Get));
        Assert.Equal("hello", Encoding.ASCII.GetString(connection.Body));
        Assert.Equal(404, await connection.SendAsync(Get));
        Assert.Equal("not found", Encoding.ASCII.GetString(connection.Body));
        Assert.Equal(1, server.Connections);
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task Chunked_IsDechunked_WithExtensionsAndTrailers_EvenWhenTheBytesArriveOneByOne()
    {
        const string answer = "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4\r\nWiki\r\n6;name=value\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n";
        await using var server = new ScriptedServer(answer, answer) { OneByteAtATime = true };
        using var connection = new HttpConnection(server.EndPoint);

        Assert.Equal(503, await connection.SendAsync(Get));
        Assert.Equal("Wikipedia in \r\n\r\nchunks.", Encoding.ASCII.GetString(connection.Body));
        Assert.Equal(503, await connection.SendAsync(Get));
        Assert.Equal("Wikipedia in \r\n\r\nchunks.", Encoding.ASCII.GetString(connection.Body));
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task ALargeBody_GrowsTheBuffers()
    {
        var body = new string('x', 100_000);
        await using var server = new ScriptedServer($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        using var connection = new HttpConnection(server.EndPoint);

        Assert.Equal(200, await connection.SendAsync(Get));
        Assert.Equal(body, Encoding.ASCII.GetString(connection.Body));
    }

    [Fact]
    public async Task InterimAnswers_AreSkipped_AndHeadAndNoContentHaveNoBody()
    {
        await using var server = new ScriptedServer(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n");
        using var connection = new HttpConnection(server.EndPoint);

        Assert.Equal(204, await connection.SendAsync(Get));
        Assert.Equal(0, connection.Body.Length);
        Assert.Equal(200, await connection.SendAsync(Get, head: true));
        Assert.Equal(0, connection.Body.Length);
    }

    [Fact]
    public async Task ConnectionClose_AndABodyToTheEnd_ReconnectForTheNextRequest()
    {
        await using var server = new ScriptedServer(
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.0 200 OK\r\n\r\nuntil the end")
        { CloseAfter = [1, 2] };
        using var connection = new HttpConnection(server.EndPoint);

        Assert.Equal(200, await connection.SendAsync(Get));
        Assert.Equal(200, await connection.SendAsync(Get));
        Assert.Equal("until the end", Encoding.ASCII.GetString(connection.Body));
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task AKeepAliveConnectionClosedWhileIdle_IsReopenedAndTheRequestSentOnceMore()
    {
        await using var server = new ScriptedServer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb")
        {
            DropWithoutAnswer = [2],
        };
        using var connection = new HttpConnection(server.EndPoint);

        Assert.Equal(200, await connection.SendAsync(Get));
        Assert.Equal(200, await connection.SendAsync(Get));
        Assert.Equal("b", Encoding.ASCII.GetString(connection.Body));
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task ACloseInTheMiddleOfAnAnswer_FailsAndSaysSo()
    {
        await using var server = new ScriptedServer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf") { CloseAfter = [1] };
        using var connection = new HttpConnection(server.EndPoint);

        var error = await Assert.ThrowsAnyAsync<IOException>(async () => await connection.SendAsync(Get));

        Assert.Equal("the server closed the connection in the middle of its answer", error.Message);
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n\r\n", "does not start with an HTTP/1.x status line: 'SSH-2.0-OpenSSH_9.2'")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "the server sent Content-Length 'ten'")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "a chunk size that is not hexadecimal: 'zz'")]
    public async Task AnAnswerThatIsNotHttp_FailsAndNamesWhatItGot(string answer, string expected)
    {
        await using var server = new ScriptedServer(answer);
        using var connection = new HttpConnection(server.EndPoint);

        var error = await Assert.ThrowsAnyAsync<IOException>(async () => await connection.SendAsync(Get));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoServer_FailsWithTheSocketsError()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var connection = new HttpConnection(new DnsEndPoint("127.0.0.1", port));

        var error = await Assert.ThrowsAnyAsync<IOException>(async () => await connection.SendAsync(Get));

        Assert.Contains("refused", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheWatchdog_FailsARequestThatWaitsTooLong_AndTheNextRequestReconnects()
    {
        await using var server = new ScriptedServer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz") { SilentFor = [1] };
        using var connection = new HttpConnection(server.EndPoint);

        var pending = connection.SendAsync(Get).AsTask();
        await server.Received(1);
        connection.Expire(Stopwatch.GetTimestamp(), Stopwatch.Frequency); // not yet: the request has waited less than 1 s
        Assert.False(pending.IsCompleted);
        connection.Expire(Stopwatch.GetTimestamp() + (2 * Stopwatch.Frequency), Stopwatch.Frequency);

        await Assert.ThrowsAsync<TimeoutException>(() => pending);
        Assert.Equal(200, await connection.SendAsync(Get));
        Assert.Equal(2, server.Connections);
    }

    /// <summary>
    /// Answers the n-th request (over all connections, 1-based) with the n-th scripted answer (the last one repeats),
    /// written as it is; can close after it, drop a request without answering, or keep silent.
    /// </summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly string[] _answers;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private readonly List<Task> _serving = [];
        private int _connections;
        private readonly Recsys.Tests.Shared.CountSignal _requests = new();

        public ScriptedServer(params string[] answers)
        {
            _answers = answers;
            _listener.Start();
            EndPoint = new DnsEndPoint("127.0.0.1", ((IPEndPoint)_listener.LocalEndpoint).Port);
            _accepting = AcceptAsync();
        }

        public DnsEndPoint EndPoint { get; }

        public bool OneByteAtATime { get; init; }

        public int[] CloseAfter { get; init; } = [];

        public int[] DropWithoutAnswer { get; init; } = [];

        public int[] SilentFor { get; init; } = [];

        public int Connections => Volatile.Read(ref _connections);

        public int Requests => (int)_requests.Count;

        /// <summary>Completes once the server has read <paramref name="requests"/> requests (signalled, not polled).</summary>
        public Task Received(int requests) => _requests.AtLeastAsync(requests, _stop.Token);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            await Task.WhenAll(_serving);
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    // Stopped: cancelled, or the listener stopped before this loop came back to accept ("Not listening").
                    return;
                }

                Interlocked.Increment(ref _connections);
                lock (_serving)
                {
                    _serving.Add(ServeAsync(socket));
                }
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            using var _ = socket;
            var received = new StringBuilder();
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    // One request: everything up to the blank line (the client's requests here have no body).
                    while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        received.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    var text = received.ToString();
                    received.Clear().Append(text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
                    var number = (int)_requests.Increment();
                    if (DropWithoutAnswer.Contains(number))
                    {
                        return;
                    }

                    if (SilentFor.Contains(number))
                    {
                        // Never answer this request: a wait for the server's stop, not a sleep.
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                    }

                    var answer = Encoding.ASCII.GetBytes(_answers[Math.Min(number, _answers.Length) - 1]);
                    if (OneByteAtATime)
                    {
                        foreach (var b in answer)
                        {
                            await socket.SendAsync(new[] { b }, SocketFlags.None, _stop.Token);
                            await Task.Yield();
                        }
                    }
                    else
                    {
                        await socket.SendAsync(answer, SocketFlags.None, _stop.Token);
                    }

                    if (CloseAfter.Contains(number))
                    {
                        socket.Shutdown(SocketShutdown.Both);
                        return;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
            }
        }
    }
}
