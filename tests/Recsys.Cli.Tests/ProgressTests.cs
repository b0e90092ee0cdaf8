using System.Diagnostics;
using Recsys.Tests.Shared;

namespace Recsys.Cli.Tests;

/// <summary>Progress of long work: plain lines when standard error is redirected, redrawn bars on a terminal.</summary>
public sealed class ProgressTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("recsys-cli-progress-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task Redirected_TrainGenerateEvaluate_WritePlainProgressLinesToStandardError()
    {
        var ct = TestContext.Current.CancellationToken;
        var ratings = Path.Combine(_work.FullName, "ratings.csv");
        var (exit, _, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["generate", "--users", "2000", "--items", "1000", "--ratings", "250000", "--out", ratings], ct);
        Assert.True(exit == 0, error);
        Assert.Contains("generate ratings.csv: 250,000 / 250,000 rows", error, StringComparison.Ordinal);

        (exit, var output, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["train", "--data", ratings, "--algorithm", "biased-mf", "--epochs", "4", "--out", Path.Combine(_work.FullName, "m.bin")], ct);
        Assert.True(exit == 0, error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("read ratings.csv: 250,000 rows", StringComparison.Ordinal));
        for (var epoch = 1; epoch <= 4; epoch++)
        {
            // One line a second at most, so a fast epoch may be folded into the next; the first and last always show.
            if (epoch is 1 or 4)
            {
                Assert.Contains(lines, l => l.StartsWith($"train biased-mf: epoch {epoch}/4, loss ", StringComparison.Ordinal));
            }
        }

        Assert.DoesNotContain('\u001b', error); // no terminal escapes in a redirected stream
        Assert.DoesNotContain("epoch", output, StringComparison.Ordinal); // standard output keeps the result only
        Assert.StartsWith("trained biased-mf", output, StringComparison.Ordinal);

        (exit, output, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["evaluate", "--data", ratings, "--algorithm", "popularity", "--repeat", "3", "--json"], ct);
        Assert.True(exit == 0, error);
        Assert.Contains("evaluate popularity: fit 3/3", error, StringComparison.Ordinal);
        Assert.StartsWith("{", output.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnATerminal_TrainDrawsABarThatIsRedrawnInPlace()
    {
        // util-linux's script gives the command a pseudo-terminal and records what it draws.
        if (!File.Exists("/usr/bin/script"))
        {
            Assert.Skip("/usr/bin/script (util-linux) is not installed, so no pseudo-terminal can be made.");
        }

        var ct = TestContext.Current.CancellationToken;
        var capture = Path.Combine(_work.FullName, "tty.txt");
        var command = $"dotnet {RecsysCli.Find()} train --algorithm biased-mf --epochs 5 --users 300 --items 200 --ratings 20000 --out {Path.Combine(_work.FullName, "m.bin")}";
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/script", ["-qfec", command, capture])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["TERM"] = "xterm-256color" },
        })!;
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var screen = await File.ReadAllTextAsync(capture, ct);

        Assert.True(process.ExitCode == 0, screen);
        Assert.Contains("\u001b[", screen, StringComparison.Ordinal); // drawn with terminal escapes
        Assert.Contains("train biased-mf  epoch 5/5, loss", screen, StringComparison.Ordinal);
        Assert.Contains("100%", screen, StringComparison.Ordinal);
        Assert.Contains("━", screen, StringComparison.Ordinal); // the bar itself
        Assert.Contains("trained biased-mf on", screen, StringComparison.Ordinal);
    }
}
