using System.Net;
using System.Net.Sockets;
using Recsys.Tests.Shared;

namespace Recsys.AspNetCore.Tests;

/// <summary>
/// A newcomer's first mistakes with the sample hosts: each ends at once with one line naming the cause and exit code
/// 2, not a stack trace or a host that starts on something else.
/// </summary>
public sealed class SampleStartupTests
{
    [Theory]
    [InlineData("Recsys.Samples.WebApi")]
    [InlineData("Recsys.Samples.Worker")]
    public async Task AnAddressInUse_IsOneLineNamingItAndUrls_ExitCode2(string sample)
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        using var directory = new TempDirectory();

        var (exit, _, error) = await DotnetProcess.RunAsync(Sample(sample), ["--urls", url, "--registry", directory.Path], TestContext.Current.CancellationToken);

        Assert.True(exit == 2, $"exit {exit}: {error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains($"{url} is in use", lines[0], StringComparison.Ordinal);
        Assert.Contains("--urls", lines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Recsys.Samples.WebApi", "--dat")]
    [InlineData("Recsys.Samples.Worker", "--intervall")]
    public async Task AnUnknownOption_IsNamed_ExitCode2_NothingStarts(string sample, string option)
    {
        using var directory = new TempDirectory();

        var (exit, output, error) = await DotnetProcess.RunAsync(Sample(sample), [option, "ratings.csv", "--registry", directory.Path, "--urls", "http://127.0.0.1:0"], TestContext.Current.CancellationToken);

        Assert.True(exit == 2, $"exit {exit}: {error}");
        Assert.Contains($"unknown option '{option}'", error, StringComparison.Ordinal);
        Assert.Contains("--registry", error, StringComparison.Ordinal); // the options it does know
        Assert.DoesNotContain("Now listening", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory.Path), "a registry was created"); // nothing started
    }

    [Fact]
    public async Task WorkerRuns_AreAdminOnly_AndSnakeCase_AsTheWebHosts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        var port = Services.FreePort();
        using var worker = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", [Sample("Recsys.Samples.Worker"), "--urls", $"http://127.0.0.1:{port}", "--registry", directory.Path, "--min-new-interactions", "1000000"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["Recsys__AdminApiKey"] = "worker-key", ["Logging__LogLevel__Default"] = "Warning" },
        })!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            HttpResponseMessage? anonymous = null;
            await Poll.UntilAsync(
                async () =>
                {
                    try
                    {
                        anonymous = await http.GetAsync("/runs", ct);
                    }
                    catch (HttpRequestException)
                    {
                        // not listening yet
                    }

                    return anonymous is not null || worker.HasExited;
                },
                "the worker listened (or exited)",
                cancellationToken: ct);

            Assert.True(anonymous is not null, $"the worker never listened: {(worker.HasExited ? await worker.StandardError.ReadToEndAsync(ct) : "still starting")}");
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous!.StatusCode);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "/runs") { Headers = { { "X-Api-Key", "not-the-key" } } };
            Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(wrong, ct)).StatusCode);
            using var right = new HttpRequestMessage(HttpMethod.Get, "/runs") { Headers = { { "X-Api-Key", "worker-key" } } };
            using var response = await http.SendAsync(right, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var runs = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
            Assert.Equal(System.Text.Json.JsonValueKind.Array, runs.ValueKind);
            foreach (var run in runs.EnumerateArray())
            {
                Assert.True(run.TryGetProperty("model_name", out _), run.ToString());
                Assert.Equal(System.Text.Json.JsonValueKind.String, run.GetProperty("state").ValueKind);
            }
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync(ct);
        }
    }

    [Fact]
    public async Task NormalStart_WithHealthPolled_LogsNoFailure()
    {
        // What an orchestrator does: poll /health and /health/ready while the host bootstraps, loads and warms up.
        var ct = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        var port = Services.FreePort();
        var dll = Sample("Recsys.Samples.WebApi");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var host = new System.Diagnostics.Process
        {
            // Started from its folder, as `dotnet run` does, so that its appsettings.json applies.
            StartInfo = new System.Diagnostics.ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}", "--registry", directory.Path])
            {
                WorkingDirectory = Path.GetDirectoryName(dll)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        host.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        host.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        host.Start();
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var polls = 0;
            await Poll.UntilAsync(
                async () =>
                {
                    try
                    {
                        using var health = await http.GetAsync("/health", ct);
                        using var ready = await http.GetAsync("/health/ready", ct);
                        polls++;
                        return ready.StatusCode == HttpStatusCode.OK || host.HasExited;
                    }
                    catch (HttpRequestException)
                    {
                        return host.HasExited; // not listening yet
                    }
                },
                "the sample host was ready (or exited)",
                hangGuard: TimeSpan.FromMinutes(5),
                cancellationToken: ct);

            Assert.False(host.HasExited, string.Join("\n", output));
            Assert.True(polls > 1, "the host was ready before it was ever polled unready; the test proves nothing");
            // The console logger writes from its own queue, so the warm-up's line can reach the pipe after /health/ready
            // answered 200: wait for it in the child's output (a hang guard, not a time limit).
            await Poll.UntilAsync(
                () => output.Any(line => line.Contains("reporting ready", StringComparison.Ordinal)),
                "the warm-up's \"reporting ready\" line in the host's output",
                hangGuard: TimeSpan.FromMinutes(1),
                cancellationToken: ct);
            var failures = output.Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)).ToList();
            Assert.True(failures.Count == 0, $"{failures.Count} failure lines on a normal start, first: {failures.FirstOrDefault()}");
        }
        finally
        {
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync(ct);
        }
    }

    private static string Sample(string name)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "samples", name, "bin", configuration, "net10.0", name + ".dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{name}.dll is not built ({configuration}); build the solution first.");
    }
}
