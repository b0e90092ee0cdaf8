using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Recsys.LoadTest.Tests;

/// <summary>
/// A stand-in for the web host on loopback Kestrel with the routes the load generator calls, whose answers a test
/// scripts: the status of the filtered route, one stalled recommendation request, the admin key.
/// </summary>
internal sealed class FakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _recommendations;
    private int _filtered;

    private FakeServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Gets the number of recommendation requests the server answered.</summary>
    public int Recommendations => Volatile.Read(ref _recommendations);

    /// <summary>Gets the number of well-formed filtered requests the server answered.</summary>
    public int Filtered => Volatile.Read(ref _filtered);

    /// <summary>Gets or sets the status of <c>POST /recommendations</c>.</summary>
    public int FilteredStatus { get; set; } = StatusCodes.Status200OK;

    /// <summary>Gets or sets which recommendation request (1-based) is held for <see cref="Stall"/>; 0 for none.</summary>
    public int StallRequest { get; set; }

    /// <summary>Gets or sets how long the stalled request is held.</summary>
    public TimeSpan Stall { get; set; }

    public static async Task<FakeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeServer(app);
        app.MapGet("/users/{id}/recommendations", async (string id) =>
        {
            if (Interlocked.Increment(ref server._recommendations) == server.StallRequest)
            {
                await Task.Delay(server.Stall); // the stall is the behaviour under test (a slow answer), not a wait
            }

            return Results.Text($"{{\"user_id\":\"{id}\",\"items\":[]}}", "application/json");
        });
        app.MapPost("/recommendations", async (HttpRequest request) =>
        {
            // The body the web host expects: a known user, ten items, a minimum score in [0, 0.5].
            using var body = await System.Text.Json.JsonDocument.ParseAsync(request.Body);
            var root = body.RootElement;
            if (request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true
                || root.GetProperty("user_id").GetString() is not "1" and not "2" and not "3"
                || root.GetProperty("num_recommendations").GetInt32() != 10
                || root.GetProperty("filters").GetProperty("min_score").GetDouble() is < 0 or > 0.5)
            {
                return Results.BadRequest(root.GetRawText());
            }

            Interlocked.Increment(ref server._filtered);
            return Results.StatusCode(server.FilteredStatus);
        });
        app.MapGet("/health/ready", () => Results.Text("Healthy"));
        app.MapPost("/admin/reload-models", (HttpRequest request) =>
            request.Headers["X-Api-Key"] == "key" ? Results.Ok() : Results.Problem(statusCode: StatusCodes.Status401Unauthorized));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Url = new Uri(address);
        return server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
