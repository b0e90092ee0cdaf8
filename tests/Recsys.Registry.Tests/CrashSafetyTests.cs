using System.Diagnostics;
using Recsys.Data;
using Recsys.Factorization;
using Recsys.Recommenders;
using Recsys.Tests.Shared;

namespace Recsys.Registry.Tests;

/// <summary>
/// Really kills (SIGKILL) a <c>recsys registry register</c> child process at random moments, many times, and checks
/// that the registry stays readable, version numbers stay unique, and no READY version lacks a verifiable artifact.
/// </summary>
public abstract class CrashSafetyTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"recsys-crash-{Guid.NewGuid():N}");

    /// <summary>The temporary directory of the test (model file; the SQLite registry).</summary>
    protected string TestDirectory => _directory;

    /// <summary>What <c>recsys registry --registry</c> is given.</summary>
    protected abstract string RegistryLocation { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        DisposeStore();
        GC.SuppressFinalize(this);
    }

    /// <summary>Opens the registry the child processes write to.</summary>
    protected abstract IModelRegistry OpenRegistry();

    protected virtual void DisposeStore()
    {
    }

    [Fact]
    public async Task RegisterKilledAtRandomMoments_NoReadyVersionWithoutItsArtifact()
    {
        var ct = TestContext.Current.CancellationToken;
        var cli = RecsysCli.Find();
        Directory.CreateDirectory(_directory);
        var modelFile = Path.Combine(_directory, "model.bin");
        var data = new SyntheticDataGenerator(new SyntheticDataOptions { Users = 3_000, Items = 8_000, Interactions = 60_000 }).GenerateDataset(ct);
        ModelFile.Save(modelFile, new BiasedMatrixFactorizationTrainer(new MatrixFactorizationOptions { Rank = 64, Epochs = 1 }).Fit(data, ct));
        var registryPath = RegistryLocation;
        var random = new Random(7);
        var killed = 0;

        for (var attempt = 0; attempt < 25; attempt++)
        {
            using var process = Process.Start(new ProcessStartInfo("dotnet", [cli, "registry", "--registry", registryPath, "register", "crash", "--file", modelFile, "--metric", "rmse=0.9"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var delay = random.Next(50, 900);
            if (!process.WaitForExit(delay))
            {
                process.Kill(entireProcessTree: true); // SIGKILL on Linux
                killed++;
            }

            await process.WaitForExitAsync(ct);
            await CheckInvariantsAsync(ct);
        }

        Assert.True(killed >= 5, $"only {killed} of 25 runs were killed before they finished; the test did not exercise crashes");

        // After all the crashes, a registration left to finish still works and gets the next unique number.
        using var last = Process.Start(new ProcessStartInfo("dotnet", [cli, "registry", "--registry", registryPath, "register", "crash", "--file", modelFile, "--metric", "rmse=0.8"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await last.WaitForExitAsync(ct);
        Assert.Equal(0, last.ExitCode);
        using var registry = (IDisposable)OpenRegistry();
        var versions = await ((IModelRegistry)registry).ListVersionsAsync("crash", ct);
        var newest = versions[0];
        Assert.Equal((ModelVersionStatus.Ready, 0.8), (newest.Status, newest.Metrics["rmse"]));
        Assert.Equal(new FileInfo(modelFile).Length, (await ((IModelRegistry)registry).ReadArtifactAsync("crash", newest.Version, ct)).LongLength);
        await CheckInvariantsAsync(ct);
    }

    private async Task CheckInvariantsAsync(CancellationToken ct)
    {
        using var owner = (IDisposable)OpenRegistry();
        var registry = (IModelRegistry)owner;
        IReadOnlyList<ModelVersion> versions;
        try
        {
            versions = await registry.ListVersionsAsync("crash", ct);
        }
        catch (RegistryEntryNotFoundException)
        {
            return; // killed before the model row was committed
        }

        Assert.Equal(versions.Count, versions.Select(v => v.Version).Distinct().Count());
        foreach (var version in versions.Where(v => v.Status == ModelVersionStatus.Ready))
        {
            var bytes = await registry.ReadArtifactAsync("crash", version.Version, ct);
            Assert.Equal(version.ArtifactSize, bytes.LongLength);
        }
    }
}

public sealed class SqliteCrashSafetyTests : CrashSafetyTests
{
    protected override string RegistryLocation => Path.Combine(TestDirectory, "registry");

    protected override IModelRegistry OpenRegistry() => ModelRegistries.OpenSqlite(RegistryLocation);
}

public sealed class PostgreSqlCrashSafetyTests : CrashSafetyTests
{
    private readonly string _schema;

    public PostgreSqlCrashSafetyTests()
    {
        TestEnvironment.RequirePostgres();
        _schema = TestEnvironment.NewSchema();
    }

    protected override string RegistryLocation => new Npgsql.NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnectionString) { SearchPath = _schema }.ToString();

    protected override IModelRegistry OpenRegistry() => PostgreSqlRegistryTests.OpenRegistry(_schema);

    protected override void DisposeStore() => TestEnvironment.DropSchema(_schema);
}
