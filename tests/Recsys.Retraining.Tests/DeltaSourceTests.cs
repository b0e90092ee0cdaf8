using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Recsys.Runs;
using Recsys.Tests.Shared;

namespace Recsys.Retraining.Tests;

/// <summary>The flow on a Delta table: the version read is in the lineage; new versions count for the volume trigger.</summary>
public sealed class DeltaSourceTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("recsys-delta-flow-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task Run_OnADeltaTable_RecordsTheVersion_AndANewVersionsRowsAreNewInteractions()
    {
        var table = await DeltaTestTables.WriteRatingsAsync(MovieLensData.File("ratings.csv"), Path.Combine(_work.FullName, "ratings"), Ct);
        using var workspace = Workspace.Sqlite();
        var options = new RetrainingOptions { ModelName = "movies", Split = "temporal:0.2" };
        options.Candidates.Add(new CandidateOptions { Algorithm = "popularity" });
        var service = new RetrainingService(workspace.Registry, workspace.Runs, InteractionSources.FromPath(table.Path), Options.Create(options), NullLogger<RetrainingService>.Instance);

        var run = await service.RunAsync("manual", Ct);

        Assert.Equal(RunState.Succeeded, run.State);
        var version = Assert.Single(await workspace.Registry.ListVersionsAsync("movies", Ct));
        Assert.Equal(1, version.Lineage!.DataVersion);
        Assert.Equal($"delta table {table.Path} @ version 1", version.Lineage.DataSource);
        Assert.Equal(table.Latest.Count(), version.Lineage.Rows);
        var added = table.Files.Sum(f => f.Count);
        Assert.Equal(added, run.InteractionCount);
        Assert.Equal(0, await service.NewInteractionsSinceAsync(run, Ct));

        // Version 2 appends a copy of file 1 (its rows again, as a new file): those rows are new interactions.
        File.Copy(Path.Combine(table.Path, "part-1.parquet"), Path.Combine(table.Path, "part-3.parquet"));
        await File.WriteAllLinesAsync(Path.Combine(table.Path, "_delta_log", "00000000000000000002.json"),
        [
            """{"commitInfo":{"timestamp":1700000200000,"operation":"WRITE"}}""",
            "{\"add\":{\"path\":\"part-3.parquet\",\"partitionValues\":{},\"size\":" + new FileInfo(Path.Combine(table.Path, "part-3.parquet")).Length + ",\"modificationTime\":1700000200000,\"dataChange\":true}}",
        ], Ct);
        Assert.Equal(table.Files[1].Count, await service.NewInteractionsSinceAsync(run, Ct));
    }
}
