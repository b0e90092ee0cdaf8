using System.Text.Json;
using Recsys.Tests.Shared;

namespace Recsys.Cli.Tests;

/// <summary>The CLI on a Delta table and on Parquet, run as a child process as users run it.</summary>
public sealed class DataSourceTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("recsys-cli-delta-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task Train_OnADeltaTableOfMovieLens_TrainsOnItsLatestVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await DeltaTestTables.WriteRatingsAsync(MovieLensData.File("ratings.csv"), Path.Combine(_work.FullName, "ratings"), ct);
        var model = Path.Combine(_work.FullName, "m.bin");

        var (exit, output, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["train", "--data", table.Path, "--algorithm", "popularity", "--out", model], ct);

        Assert.True(exit == 0, error);
        var rows = table.Latest.Count();
        Assert.Contains($"ratings (Delta version 1): {rows:N0} interactions", error, StringComparison.Ordinal);
        Assert.Contains($"trained popularity on {rows:N0} interactions", output, StringComparison.Ordinal);
        Assert.True(File.Exists(model));

        (exit, _, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["train", "--data", table.Path, "--version", "0", "--algorithm", "popularity", "--out", model], ct);
        Assert.True(exit == 0, error);
        Assert.Contains($"ratings (Delta version 0): {table.Version0.Count():N0} interactions", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateWithTestOut_ThenTrainWithTest_PrintsTheHeldOutErrorsOfTheSameSplitInCsvAndParquet()
    {
        var ct = TestContext.Current.CancellationToken;
        string At(string name) => Path.Combine(_work.FullName, name);
        var results = new List<string>();
        foreach (var extension in new[] { "csv", "parquet" })
        {
            var (exit, _, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["generate", "--users", "300", "--items", "200", "--ratings", "12000", "--out", At($"train.{extension}"), "--test-out", At($"test.{extension}"), "--test-fraction", "0.05"], ct);
            Assert.True(exit == 0, error);
            string output;
            (exit, output, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["train", "--data", At($"train.{extension}"), "--test", At($"test.{extension}"), "--algorithm", "biased-mf", "--epochs", "5", "--out", At($"m-{extension}.bin")], ct);
            Assert.True(exit == 0, error);
            var line = Assert.Single(output.Split('\n'), l => l.StartsWith("held out", StringComparison.Ordinal));
            Assert.Matches(@"^held out test\.\w+: RMSE \d\.\d{4}, MAE \d\.\d{4} on \d{3},?\d* ratings", line);
            results.Add(line[line.IndexOf(':', StringComparison.Ordinal)..]);
        }

        // The same split, the same model, the same errors, whichever format held it.
        Assert.Equal(results[0], results[1]);
    }

    [Fact]
    public async Task TrainWithMemory_OverTheBudget_TrainsFromDisk_TheModelFileTrainedInMemory_AndLeavesNoFileBehind()
    {
        var ct = TestContext.Current.CancellationToken;
        string At(string name) => Path.Combine(_work.FullName, name);
        var (exit, _, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["generate", "--users", "20000", "--items", "3000", "--ratings", "2000000", "--out", At("train.parquet"), "--test-out", At("test.parquet"), "--test-fraction", "0.05"], ct);
        Assert.True(exit == 0, error);
        string[] train = ["train", "--data", At("train.parquet"), "--test", At("test.parquet"), "--rank", "16", "--epochs", "8"];

        (exit, var inMemory, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), [.. train, "--out", At("memory.bin"), "--memory", "1GiB"], ct);
        Assert.True(exit == 0, error);
        (exit, var fromDisk, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), [.. train, "--out", At("disk.bin"), "--memory", "24MiB", "--spool", At("scratch")], ct);
        Assert.True(exit == 0, error);

        Assert.Contains("within --memory 1GiB", inMemory, StringComparison.Ordinal);
        Assert.Contains("more than --memory 24MiB: training from disk.", fromDisk, StringComparison.Ordinal);
        Assert.Matches(@"trained biased-mf from disk on 1,9\d\d,\d{3} interactions \(20,000 users, 3,000 items; \d+ x \d+ blocks", fromDisk);
        static string HeldOut(string output) => Assert.Single(output.Split('\n'), l => l.StartsWith("held out", StringComparison.Ordinal));
        Assert.Equal(HeldOut(inMemory), HeldOut(fromDisk));

        // The same groups, the same updates in the same order: the same model file, byte for byte.
        Assert.Equal(await File.ReadAllBytesAsync(At("memory.bin"), ct), await File.ReadAllBytesAsync(At("disk.bin"), ct));
        Assert.Empty(Directory.GetFileSystemEntries(At("scratch")));
    }

    [Fact]
    public async Task TrainWithMemory_TooSmallForTheIdsAndFactors_StopsBeforeTheFit_NamingBoth_AndWritesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        string At(string name) => Path.Combine(_work.FullName, name);
        await File.WriteAllTextAsync(At("r.csv"), "userId,movieId,rating,timestamp\n1,10,4.0,1\n2,10,3.5,2\n2,11,5.0,3\n", ct);

        var (exit, _, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["train", "--data", At("r.csv"), "--rank", "8", "--memory", "10B", "--out", At("m.bin"), "--spool", At("scratch")], ct);

        Assert.Equal(2, exit);
        var last = error.TrimEnd().Split('\n')[^1];
        Assert.Matches(@"--memory 10B: the ids and counts \([\d.]+ [KM]iB\) and the factors at rank 8 \([\d.]+ KiB\) alone need more; give a larger budget or a lower --rank\.", last);
        Assert.False(File.Exists(At("m.bin")));
        Assert.Empty(Directory.GetFileSystemEntries(At("scratch")));
    }

    [Fact]
    public async Task DataDescribe_Json_GivesKindColumnsRowsVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await DeltaTestTables.WriteRatingsAsync(MovieLensData.File("ratings.csv"), Path.Combine(_work.FullName, "ratings"), ct);

        var (exit, output, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["data", "describe", table.Path, "--json", "--read"], ct);

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("delta", root.GetProperty("kind").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt64());
        Assert.Equal(table.Latest.Count(), root.GetProperty("rows").GetInt64());
        Assert.Equal(table.Latest.Count(), root.GetProperty("interactions").GetInt64());
        Assert.Equal(0, root.GetProperty("skipped").GetInt64());
        Assert.Equal(["userId:integer", "movieId:integer", "rating:double", "timestamp:long"], root.GetProperty("columns").EnumerateArray().Select(c => $"{c.GetProperty("name").GetString()}:{c.GetProperty("type").GetString()}"));

        (exit, output, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), ["data", "describe", Path.Combine(table.Path, "part-2.parquet"), "--json"], ct);
        Assert.True(exit == 0, error);
        using var parquet = JsonDocument.Parse(output);
        Assert.Equal("parquet", parquet.RootElement.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, parquet.RootElement.GetProperty("version").ValueKind);
        Assert.Equal(table.Files[2].Count, parquet.RootElement.GetProperty("rows").GetInt64());
    }

    [Theory]
    [InlineData("data describe {csv} --version 1", 2, "--version and --as-of apply to Delta tables")]
    [InlineData("train --data {csv} --columns user=u --out {work}/m.bin", 2, "--columns applies to Parquet and Delta sources")]
    [InlineData("data describe {table} --version 7", 1, "version 7 does not exist; the table's versions end at 1")]
    [InlineData("train --data {table} --columns user=nope --out {work}/m.bin", 1, "there is no user column named 'nope'")]
    [InlineData("data describe {table} --version 0 --as-of 2024-01-01", 2, "Give --version or --as-of, not both.")]
    public async Task BadSourceInput_OneLine(string command, int exitCode, string message)
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await DeltaTestTables.WriteRatingsAsync(MovieLensData.File("ratings.csv"), Path.Combine(_work.FullName, "ratings"), ct);
        var arguments = command.Replace("{csv}", MovieLensData.File("ratings.csv"), StringComparison.Ordinal)
            .Replace("{table}", table.Path, StringComparison.Ordinal).Replace("{work}", _work.FullName, StringComparison.Ordinal).Split(' ');

        var (exit, _, error) = await DotnetProcess.RunAsync(RecsysCli.Find(), arguments, ct);

        Assert.True(exit == exitCode, $"exit {exit}, expected {exitCode}: {error}");
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
