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

    [Theory]
    [InlineData(1.0, 1, 9, "9 s")] // one epoch a second, nine to go
    [InlineData(2.0, 1, 99, "3:18")]
    [InlineData(10.0, 1, 999, "2:46:30")]
    [InlineData(0.1, 5, 5, "<1 s")]
    public void Remaining_IsTheTimeLeftAtTheRateSinceTheFirstReport(double seconds, double done, double left, string expected) =>
        Assert.Equal(expected, ProgressText.Remaining(TimeSpan.FromSeconds(seconds), done, left));

    [Fact]
    public void Remaining_WithoutProgressOrWithNothingLeft_IsNotShown()
    {
        Assert.Null(ProgressText.Remaining(TimeSpan.FromSeconds(3), 0, 10)); // the first report: no rate yet
        Assert.Null(ProgressText.Remaining(TimeSpan.FromSeconds(3), 10, 0)); // done
        Assert.Equal("24:00:00", ProgressText.Remaining(TimeSpan.FromDays(30), 1, 1_000_000)); // capped at a day
    }

    [Fact]
    public void Fit_CutsToTheWidthWithAnEllipsis()
    {
        Assert.Equal("train biased-mf", ProgressText.Fit("train biased-mf", 15));
        Assert.Equal("read ratings-wi…", ProgressText.Fit("read ratings-with-a-long-name.csv", 16));
        Assert.Equal(16, ProgressText.Fit(new string('x', 100), 16).Length);
    }

    [Fact]
    public async Task OnATerminal_TrainDrawsABarThatIsRedrawnInPlace()
    {
        // util-linux's script gives the command a pseudo-terminal and records what it draws.
        if (!File.Exists("/usr/bin/script"))
        {
            Assert.Skip("/usr/bin/script (util-linux) is not installed, so no pseudo-terminal can be made.");
        }

        var (exit, screen) = await UnderScriptAsync($"dotnet {RecsysCli.Find()} train --algorithm biased-mf --epochs 5 --users 300 --items 200 --ratings 20000 --out {Path.Combine(_work.FullName, "m.bin")}", "tty.txt");

        Assert.True(exit == 0, screen);
        Assert.Contains("\u001b[", screen, StringComparison.Ordinal); // drawn with terminal escapes
        Assert.Contains("train biased-mf  epoch 5/5, loss", screen, StringComparison.Ordinal);
        Assert.Contains("100%", screen, StringComparison.Ordinal);
        Assert.Contains("━", screen, StringComparison.Ordinal); // the bar itself
        Assert.Contains("trained biased-mf on", screen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnAnEightyColumnTerminal_NoDrawnRowIsWiderThanTheTerminal()
    {
        if (!File.Exists("/usr/bin/script"))
        {
            Assert.Skip("/usr/bin/script (util-linux) is not installed, so no pseudo-terminal can be made.");
        }

        // Long names and details (a long file name): a row wider than the terminal wraps, and the redraw, which moves
        // up one line per row, then leaves the wrapped part behind as stale text.
        var ct = TestContext.Current.CancellationToken;
        var ratings = Path.Combine(_work.FullName, "ratings-with-a-rather-long-file-name-for-an-eighty-column-terminal.csv");
        var (exit, _, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["generate", "--users", "500", "--items", "300", "--ratings", "60000", "--out", ratings], ct);
        Assert.True(exit == 0, error);
        var (exit80, screen) = await UnderScriptAsync($"stty cols 80 rows 24; dotnet {RecsysCli.Find()} train --data {ratings} --algorithm biased-mf --epochs 6 --out {Path.Combine(_work.FullName, "m80.bin")}", "tty80.txt");
        Assert.True(exit80 == 0, screen);

        // Colours do not move the cursor; every other escape (cursor up, erase line, …), a carriage return or a
        // newline ends a run of characters printed on one row. Standard output's result line and script's own header and footer are not progress rows.
        var text = System.Text.RegularExpressions.Regex.Replace(screen, @"\u001b\[[0-9;]*m", string.Empty);
        var rows = System.Text.RegularExpressions.Regex.Split(text, @"\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007|\r|\n")
            .Where(r => r.Length > 0 && !r.StartsWith("trained biased-mf", StringComparison.Ordinal) && !r.StartsWith("Script ", StringComparison.Ordinal)).ToList();
        // One row per task: its bar row starts with its own name (a description wrapped inside its cell would push
        // its start onto a row of its own, and the row count would change between redraws).
        var bars = rows.Where(r => r.Contains('━', StringComparison.Ordinal)).ToList();
        Assert.Contains(bars, r => r.StartsWith("read ratings-with-a-rather-long", StringComparison.Ordinal));
        Assert.Contains(bars, r => r.StartsWith("train biased-mf  epoch", StringComparison.Ordinal));
        Assert.All(bars, r => Assert.Matches("^(read|train) ", r));
        var wide = rows.Where(r => new System.Globalization.StringInfo(r).LengthInTextElements > 80).ToList();
        Assert.True(wide.Count == 0, $"rows wider than 80 columns:{Environment.NewLine}{string.Join(Environment.NewLine, wide)}");
        Assert.Contains(rows, r => r.Contains('…', StringComparison.Ordinal)); // the long description was cut, not wrapped
    }

    // Runs a shell command under util-linux's script, which gives it a pseudo-terminal and records what it draws.
    private async Task<(int Exit, string Screen)> UnderScriptAsync(string command, string captureName)
    {
        var ct = TestContext.Current.CancellationToken;
        var capture = Path.Combine(_work.FullName, captureName);
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/script", ["-qfec", command, capture])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["TERM"] = "xterm-256color" },
        })!;
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await File.ReadAllTextAsync(capture, ct));
    }
}
