using System.Diagnostics;
using Recsys.Registry;
using Recsys.Runs;
using Recsys.Tests.Shared;

namespace Recsys.Retraining.Tests;

/// <summary>
/// Really kills (SIGKILL) a worker — the <c>recsys retrain</c> process — in the middle of training and of
/// registration, restarts recovery as a new worker does, and checks the run is abandoned and no PENDING version is
/// left visible.
/// </summary>
public sealed class WorkerCrashTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WorkerKilledMidRun_RunIsAbandonedAndNoPendingVersionRemains()
    {
        using var workspace = Workspace.Sqlite();
        var cli = RecsysCli.Find();
        var random = new Random(11);
        var pendingCleaned = 0;
        var abandoned = 0;
        var abandonedSteps = 0;
        var trace = new List<string>();

        // Six kills that land mid-run; a kill that comes after the run finished (a loaded machine can deschedule this
        // test between the log line and the kill) is recorded and retried, up to twelve attempts.
        for (var attempt = 0; attempt < 12 && abandoned < 6; attempt++)
        {
            var target = attempt % 3 == 2 ? "step train 2: biased-mf started" : "step register started";
            var leftovers = Directory.Exists(Path.Combine(workspace.Location, "artifacts"))
                ? Directory.GetFiles(Path.Combine(workspace.Location, "artifacts"), "*.tmp", SearchOption.AllDirectories)
                : [];
            using var process = Process.Start(new ProcessStartInfo("dotnet", [cli, "retrain", "--registry", workspace.Location, "--candidates", "biased-mf,biased-mf,biased-mf,biased-mf", "--epochs", (8 + attempt).ToString(System.Globalization.CultureInfo.InvariantCulture), "--rank", "384"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            _ = process.StandardOutput.ReadToEndAsync(Ct);
            string? line;
            var killed = false;
            while ((line = await process.StandardError.ReadLineAsync(Ct)) is not null)
            {
                if (line.Contains(target, StringComparison.Ordinal))
                {
                    if (target.Contains("register", StringComparison.Ordinal))
                    {
                        // Kill while a registration is half done: its row is PENDING while its artifact (several MB) is
                        // written to a temporary file, which is renamed into place before the row turns READY. The window
                        // is milliseconds wide, so this spins (no delay) on the child process's files; the 5 s only ends
                        // the spin if the file never appears (the kill then lands after the registration, also valid).
                        var artifacts = Path.Combine(workspace.Location, "artifacts");
                        var deadline = Stopwatch.StartNew();
                        while (deadline.Elapsed < TimeSpan.FromSeconds(5) && !process.HasExited
                            && !(Directory.Exists(artifacts) && Directory.EnumerateFiles(artifacts, "*.tmp", SearchOption.AllDirectories).Except(leftovers).Any()))
                        {
                        }
                    }
                    else
                    {
                        await Task.Delay(random.Next(0, 400), Ct); // a random kill point inside the step is the test, not a wait
                    }

                    process.Kill(); // SIGKILL; `dotnet recsys.dll` runs the app in this very process
                    killed = true;
                    break;
                }
            }

            await process.WaitForExitAsync(Ct);
            Assert.True(killed, $"attempt {attempt}: the run ended before '{target}'");
            var pendingBefore = (await VersionsAsync(workspace)).Count(v => v.Status == ModelVersionStatus.Pending);
            var runningSteps = (await workspace.Runs.ListRunsAsync("movies", 1, Ct))[0].Steps.Where(s => s.State == StepState.Running).Select(s => s.Name).ToList();

            // A new worker starts: recovery marks the dead run abandoned and fails what it left PENDING.
            Assert.True(await workspace.Service().RecoverAsync(Ct));

            var runs = await workspace.Runs.ListRunsAsync("movies", 100, Ct);
            Assert.DoesNotContain(runs, r => r.State == RunState.Running);
            if (runs[0].State == RunState.Succeeded)
            {
                Assert.Equal(0, pendingBefore);
                trace.Add($"attempt {attempt} {target}: the run had finished before the kill");
                continue;
            }

            Assert.Equal(RunState.Abandoned, runs[0].State);
            Assert.DoesNotContain(runs[0].Steps, s => s.State == StepState.Running); // the steps the kill interrupted are abandoned too
            Assert.All(runningSteps, name => Assert.Contains(runs[0].Steps, s => s.Name == name && s.State == StepState.Abandoned && s.Error == "its worker stopped before the step finished" && s.FinishedAt is not null));
            abandonedSteps += runningSteps.Count;
            abandoned++;
            var versions = await VersionsAsync(workspace);
            Assert.DoesNotContain(versions, v => v.Status == ModelVersionStatus.Pending);
            foreach (var version in versions.Where(v => v.Status == ModelVersionStatus.Ready))
            {
                Assert.Equal(version.ArtifactSize, (await workspace.Registry.ReadArtifactAsync("movies", version.Version, Ct)).LongLength);
            }

            pendingCleaned += pendingBefore;
            trace.Add($"attempt {attempt} {target}: pending {pendingBefore}, versions {string.Join(",", versions.Select(v => $"{v.Version}:{v.Status}"))}");
        }

        output.WriteLine($"PENDING versions left by killed workers and failed by recovery: {pendingCleaned}; {string.Join(" | ", trace)}");
        Assert.True(abandonedSteps >= 3, $"only {abandonedSteps} steps were running at a kill; the test did not exercise abandoning them: {string.Join(" | ", trace)}");
        Assert.True(abandoned >= 6, $"only {abandoned} kills landed mid-run: {string.Join(" | ", trace)}");
        Assert.True(pendingCleaned >= 2, $"only {pendingCleaned} kills left a PENDING version; the test did not exercise that path: {string.Join(" | ", trace)}");
        var finished = await workspace.Service().RunAsync("manual", Ct);
        Assert.Equal(RunState.Succeeded, finished.State);
    }

    /// <summary>The versions, or none when the kill came before the model's first row was committed.</summary>
    private static async Task<IReadOnlyList<ModelVersion>> VersionsAsync(Workspace workspace)
    {
        try
        {
            return await workspace.Registry.ListVersionsAsync("movies", Ct);
        }
        catch (RegistryEntryNotFoundException)
        {
            return [];
        }
    }
}
