using System.Diagnostics;
using Recsys.Tests.Shared;

namespace Recsys.AspNetCore.Tests;

/// <summary>
/// A throwaway PostgreSQL 15 server of one test (initdb in a temporary directory, a free loopback port), so the test
/// can stop and restart it without touching the server the other tests share. As root it runs as user postgres.
/// </summary>
internal sealed class PrivatePostgres : IDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _data;

    private PrivatePostgres(string data, int port)
    {
        _data = data;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=3;Command Timeout=10";

    public static PrivatePostgres Start()
    {
        TestEnvironment.Require("PostgreSQL 15 binaries", File.Exists($"{Bin}/initdb") ? null : $"{Bin}/initdb is missing (scripts/start-services.sh installs the postgresql package)");
        var data = Path.Combine(Path.GetTempPath(), $"recsys-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        if (Environment.UserName == "root")
        {
            Run("chown", "postgres:postgres", data);
        }

        RunAsPostgres($"{Bin}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8");
        var server = new PrivatePostgres(data, Services.FreePort());
        server.Resume();
        return server;
    }

    /// <summary>Stops the server (fast shutdown: open sessions are cut, as in an outage).</summary>
    public void Stop() => RunAsPostgres($"{Bin}/pg_ctl", "-D", _data, "-m", "fast", "-w", "stop");

    /// <summary>Starts the server again on the same port and data.</summary>
    public void Resume() => RunAsPostgres(
        $"{Bin}/pg_ctl", "-D", _data, "-l", Path.Combine(_data, "server.log"), "-w",
        "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {_data} -c fsync=off -c max_connections=100", "start");

    public void Dispose()
    {
        try
        {
            Stop();
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }

        Directory.Delete(_data, recursive: true);
    }

    private static void RunAsPostgres(string program, params string[] arguments)
    {
        if (Environment.UserName == "root")
        {
            Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
        }
        else
        {
            Run(program, arguments);
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error.Result}");
        }
    }
}
