using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

/// <summary>How a virtual user sends a request of the mix.</summary>
internal abstract class LoadClient : IDisposable
{
    /// <summary>How long a request may wait for its answer before it fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string[] _paths;
    private readonly string[] _json;

    protected LoadClient(string[] userIds)
    {
        _paths = [.. userIds.Select(Uri.EscapeDataString)];
        _json = [.. userIds.Select(id => JsonSerializer.Serialize(id))];
    }

    /// <summary>Creates the client of <paramref name="settings"/>: the load generator's own connections for http, HttpClient for https or when asked.</summary>
    public static LoadClient Create(LoadSettings settings) =>
        settings.UseHttpClient || settings.Url.Scheme != Uri.UriSchemeHttp
            ? new HttpClientLoadClient(settings)
            : new SocketLoadClient(settings);

    /// <summary>Sends <paramref name="request"/> as virtual user <paramref name="user"/>: null when it succeeded, else why not ("filtered: HTTP 503 …").</summary>
    public abstract ValueTask<string?> SendAsync(int user, LoadRequest request);

    public abstract void Dispose();

    protected string PathOf(LoadRequest request) => request.Task switch
    {
        "recommendations" => $"/users/{_paths[request.User]}/recommendations?num_recommendations=10",
        "similar" => "/items/1/similar?num_recommendations=10",
        "filtered" => "/recommendations",
        _ => "/health/ready",
    };

    protected string FilteredBody(LoadRequest request) => string.Create(
        CultureInfo.InvariantCulture,
        $"{{\"user_id\":{_json[request.User]},\"num_recommendations\":10,\"filters\":{{\"exclude_genres\":[\"Horror\"],\"min_score\":{request.MinScore:F2}}}}}");

    protected static string Failure(LoadRequest request, int status, ReadOnlySpan<byte> body) =>
        $"{request.Task}: HTTP {status} {Encoding.UTF8.GetString(body[..Math.Min(body.Length, 1000)])}";
}

/// <summary>Requests through <see cref="HttpClient"/> (SocketsHttpHandler, one pooled connection per virtual user).</summary>
internal sealed class HttpClientLoadClient : LoadClient
{
    private readonly SocketsHttpHandler _handler;
    private readonly HttpClient _client;

    public HttpClientLoadClient(LoadSettings settings)
        : base(settings.UserIds)
    {
        _handler = new SocketsHttpHandler { MaxConnectionsPerServer = settings.Users, PooledConnectionLifetime = System.Threading.Timeout.InfiniteTimeSpan };
        _client = new HttpClient(_handler) { BaseAddress = settings.Url, Timeout = Timeout };
    }

    public override async ValueTask<string?> SendAsync(int user, LoadRequest request)
    {
        using var message = new HttpRequestMessage(request.Task == "filtered" ? HttpMethod.Post : HttpMethod.Get, PathOf(request));
        if (request.Task == "filtered")
        {
            message.Content = new StringContent(FilteredBody(request), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
            return response.IsSuccessStatusCode
                ? null
                : Failure(request, (int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(CancellationToken.None));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"{request.Task}: {e.Message}";
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        _handler.Dispose();
    }
}

/// <summary>
/// Requests over the load generator's own keep-alive HTTP/1.1 connections (<see cref="HttpConnection"/>), one per
/// virtual user, each request written as UTF-8 into the user's buffer; a watchdog fails requests that wait longer than
/// <see cref="LoadClient.Timeout"/>.
/// </summary>
internal sealed class SocketLoadClient : LoadClient
{
    private readonly HttpConnection[] _connections;
    private readonly byte[][] _requests;
    private readonly string _authority;
    private readonly Timer _watchdog;

    public SocketLoadClient(LoadSettings settings)
        : base(settings.UserIds)
    {
        var endPoint = new DnsEndPoint(settings.Url.IdnHost, settings.Url.Port);
        _authority = settings.Url.Authority;
        _connections = [.. Enumerable.Range(0, settings.Users).Select(_ => new HttpConnection(endPoint))];
        _requests = [.. Enumerable.Range(0, settings.Users).Select(_ => new byte[1024])];
        var timeout = (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        _watchdog = new Timer(
            _ =>
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var connection in _connections)
                {
                    connection.Expire(now, timeout);
                }
            },
            null,
            TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(1));
    }

    public override async ValueTask<string?> SendAsync(int user, LoadRequest request)
    {
        var length = Write(user, request);
        var connection = _connections[user];
        try
        {
            var status = await connection.SendAsync(_requests[user].AsMemory(0, length));
            return status is >= 200 and < 300 ? null : Failure(request, status, connection.Body);
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            return e is TimeoutException
                ? $"{request.Task}: no answer within {Timeout.TotalSeconds:F0} s"
                : $"{request.Task}: {e.Message}";
        }
    }

    public override void Dispose()
    {
        _watchdog.Dispose();
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
    }

    // Writes the request's bytes into the user's buffer (grown for a long user id) and returns their length.
    private int Write(int user, LoadRequest request)
    {
        while (true)
        {
            var buffer = _requests[user];
            bool written;
            int length;
            if (request.Task == "filtered")
            {
                var body = FilteredBody(request);
                written = Utf8.TryWrite(
                    buffer,
                    CultureInfo.InvariantCulture,
                    $"POST /recommendations HTTP/1.1\r\nHost: {_authority}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}",
                    out length);
            }
            else
            {
                written = Utf8.TryWrite(buffer, CultureInfo.InvariantCulture, $"GET {PathOf(request)} HTTP/1.1\r\nHost: {_authority}\r\n\r\n", out length);
            }

            if (written)
            {
                return length;
            }

            _requests[user] = new byte[buffer.Length * 2];
        }
    }
}
