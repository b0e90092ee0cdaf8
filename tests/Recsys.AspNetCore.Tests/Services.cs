using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Recsys.Tests.Shared;

namespace Recsys.AspNetCore.Tests;

/// <summary>
/// The servers of the tests. PostgreSQL: <c>RECSYS_POSTGRES</c> (default: what scripts/start-services.sh starts).
/// Redis: each test that needs one starts its own <c>redis-server</c> on a free loopback port, so it can stop it.
/// Missing servers skip the test with the reason, unless <c>RECSYS_REQUIRE_SERVICES=1</c> (CI), where they fail.
/// </summary>
internal static class Services
{
    public static string PostgresConnectionString => TestEnvironment.PostgresConnectionString;

    public static void RequirePostgres() => TestEnvironment.RequirePostgres();

    public static string NewSchema() => TestEnvironment.NewSchema();

    public static void DropSchema(string schema) => TestEnvironment.DropSchema(schema);

    /// <summary>Starts a private redis-server on a free loopback port; dispose to kill it.</summary>
    public static RedisServer StartRedis()
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
        TestEnvironment.Require("Redis", binary is null ? "redis-server is not installed (scripts/start-services.sh installs it)" : null);
        var port = FreePort();
        var process = Process.Start(new ProcessStartInfo(binary!, ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            // A child process starting to listen: no event to wait on (Poll's policy).
            Poll.UntilAsync(
                () =>
                {
                    try
                    {
                        using var client = new TcpClient();
                        client.Connect(IPAddress.Loopback, port);
                        return true;
                    }
                    catch (SocketException)
                    {
                        return false;
                    }
                },
                $"redis-server listened on port {port}").GetAwaiter().GetResult();
            return new RedisServer(process, port);
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal sealed class RedisServer(Process process, int port) : IDisposable
{
    public string Configuration => $"127.0.0.1:{port}";

    /// <summary>Freezes the server (SIGSTOP): connections stay open and nothing answers, as a hung Redis behaves.</summary>
    public void Pause() => Signal("-STOP");

    /// <summary>Lets a paused server go on (SIGCONT).</summary>
    public void Resume() => Signal("-CONT");

    public void Stop()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Resume();
        Stop();
        process.Dispose();
    }

    private void Signal(string signal)
    {
        if (process.HasExited)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", [signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }
}
