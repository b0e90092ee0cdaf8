using Recsys.Tests.Shared;

namespace Recsys.Cli.Tests;

/// <summary>
/// Mistakes a new user makes, run as a user runs them (the CLI as a child process): each gets exit code 2 (usage) or
/// 1 (failure) and one line on standard error that names the option or file, never a stack trace or a type name.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("recsys-cli-");

    public static TheoryData<string, int, string> Cases() => new()
    {
        { "recommend --model {model} --user 1 --count -1", 2, "--count must be between 1 and 10000; it was -1." },
        { "recommend --model {model} --similar-to 1 --count -2", 2, "--count must be between 1 and 10000; it was -2." },
        { "recommend --model {work} --user 1", 2, "is a directory; give the model file" },
        { "recommend --model {work}/none.bin --user 1", 2, "none.bin' does not exist." },
        { "recommend --model {model}", 2, "--user is required (or --similar-to for similar items)." },
        { "recommend", 2, "Option '--model' is required." },
        { "generate --out /missing-dir/g.csv", 2, "--out '/missing-dir/g.csv': the directory '/missing-dir' does not exist." },
        { "generate --test-out {work}/t.csv", 2, "--test-out needs --out" },
        { "generate --out {work}/g.csv --test-fraction 0.2", 2, "--test-fraction applies with --test-out." },
        { "generate --out {work}/g.csv --test-out {work}/g.csv", 2, "--test-out must name another file than --out." },
        { "generate --out {work}/g.csv --test-out {work}/t.csv --test-fraction 1", 2, "--test-fraction must be at least 0 and less than 1, not 1." },
        { "train --algorithm biased-mf --test {work}/none.csv --out {work}/m.bin", 2, "none.csv' does not exist." },
        { "train --out /missing-dir/m.bin", 2, "--out '/missing-dir/m.bin': the directory '/missing-dir' does not exist." },
        { "evaluate --split random:1.5", 2, "random takes a fraction strictly between 0 and 1" },
        { "evaluate --split last:0", 2, "last takes a positive count of interactions per user" },
        { "evaluate --rank abc", 2, "Cannot parse argument 'abc' for option '--rank' as a whole number." },
        { "evaluate --algorithm biased-mf --rank -5", 2, "--rank must be between 1 and" },
        { "evaluate --algorithm nope", 2, "Unknown algorithm 'nope'" },
        { "evaluate --algorithm baseline --rank 5", 2, "--rank does not apply to baseline; it takes --epochs, --reg." },
        { "train --algorithm popularity --epochs 3 --out {work}/p.bin", 2, "--epochs does not apply to popularity; it takes no hyper-parameters." },
        { "evaluate --data {work}/missing.csv", 2, "missing.csv' does not exist." },
        { "evaluate --format xml --data {model}", 2, "--format must be auto, movielens, udata, csv, parquet or delta, not 'xml'." },
        { "registry --registry {work}/typo list", 2, "holds no registry (no registry.db there)" },
        { "runs --registry {work}/typo list", 2, "holds no registry (no registry.db there)" },
        { "recommend --model {garbage} --user 1", 1, "garbage.bin" },
        { "train --data {badscale} --algorithm popularity --out {work}/m.bin", 1, "badscale.csv, line 3: the rating -3 is outside the scale 0.5 to 5" },
        { "train --data {badscale} --scale -5:5 --algorithm popularity --out {work}/m.bin", 1, "badscale.csv, line 4: the rating 99 is outside the scale -5 to 5" },
        { "train --data {badscale} --scale 5:1 --algorithm popularity --out {work}/m.bin", 2, "--scale: '5:1' is not a rating scale MIN:MAX with MIN <= MAX" },
        { "train --data {notnumber} --algorithm popularity --out {work}/m.bin", 1, "notnumber.csv, line 2: the value 'x' is not a number" },
        { "train --data {badscale} --memory lots --out {work}/m.bin", 2, "--memory 'lots' is not a size: give a positive number with a unit, such as 4GiB" },
        { "train --data {badscale} --memory 0GiB --out {work}/m.bin", 2, "--memory '0GiB' is not a size" },
        { "train --memory 4GiB --out {work}/m.bin", 2, "--memory applies to --data: synthetic data is generated in memory." },
        { "train --data {badscale} --algorithm als --memory 10B --out {work}/m.bin", 2, "more than the budget, and only biased-mf trains from disk; use --algorithm biased-mf or a larger budget." },
        { "train --algorithm als-implicit --epochs 0 --out {work}/m.bin", 2, "--epochs must be between 1 and 1000." },
        { "train --algorithm biased-mf --reg -1 --out {work}/m.bin", 2, "--reg must be between 0 and 100." },
        { "train --algorithm biased-mf --lr 0 --out {work}/m.bin", 2, "--lr must be between" },
        { "retrain --registry {work}/r --parallelism 0", 2, "--parallelism must be between 1 and 256; it was 0." },
        { "retrain --registry {work}/r --trials 0 --param Rank=8:16", 2, "--trials must be between 1 and 10,000; it was 0." },
        { "retrain --registry {work}/r --metric nope", 2, "--metric 'nope' is not a metric; use one of rmse, mae," },
        { "retrain --registry {work}/r --model ", 2, "--model must not be empty." },
        { "retrain --registry {work}/r --epochs 0", 2, "als-implicit: --epochs must be between 1 and 1000." },
        { "retrain --registry {work}/r --candidates ease,als --rank 0", 2, "als: --rank must be between 1 and 512." },
    };

    [Fact]
    public async Task GenerateHelp_SaysWhatItWrites_CsvOrParquet()
    {
        var (exit, output, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["generate", "--help"], TestContext.Current.CancellationToken);

        Assert.True(exit == 0, error);
        Assert.Contains("ratings.csv format", output, StringComparison.Ordinal);
        Assert.Contains("Parquet when --out ends in .parquet", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInput_OneLineNamingTheProblem_AndTheExitCode(string command, int exitCode, string message)
    {
        var model = await ModelAsync();
        var garbage = Path.Combine(_work.FullName, "garbage.bin");
        await File.WriteAllTextAsync(garbage, "not a model", TestContext.Current.CancellationToken);
        var badScale = Path.Combine(_work.FullName, "badscale.csv");
        await File.WriteAllTextAsync(badScale, "userId,movieId,rating,timestamp\n1,2,4.0,10\n1,3,-3,11\n2,2,99,12\n", TestContext.Current.CancellationToken);
        var notNumber = Path.Combine(_work.FullName, "notnumber.csv");
        await File.WriteAllTextAsync(notNumber, "userId,movieId,rating,timestamp\n1,2,x,10\n", TestContext.Current.CancellationToken);
        var arguments = command.Replace("{model}", model, StringComparison.Ordinal).Replace("{work}", _work.FullName, StringComparison.Ordinal)
            .Replace("{garbage}", garbage, StringComparison.Ordinal).Replace("{badscale}", badScale, StringComparison.Ordinal)
            .Replace("{notnumber}", notNumber, StringComparison.Ordinal).Split(' ');

        var (exit, _, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), arguments, TestContext.Current.CancellationToken);

        Assert.True(exit == exitCode, $"exit {exit}, expected {exitCode}: {error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("Run 'recsys", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.StartsWith("recsys ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Options.", line, StringComparison.Ordinal);
    }

    public void Dispose() => _work.Delete(recursive: true);

    /// <summary>A small trained model file (the same for every case).</summary>
    private static async Task<string> ModelAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "recsys-cli-bad-input-model.bin");
        if (!File.Exists(path))
        {
            var (exit, _, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["train", "--out", path + ".tmp", "--users", "50", "--items", "80", "--ratings", "1000", "--epochs", "2"], TestContext.Current.CancellationToken);
            Assert.True(exit == 0, error);
            File.Move(path + ".tmp", path, overwrite: true);
        }

        return path;
    }
}
