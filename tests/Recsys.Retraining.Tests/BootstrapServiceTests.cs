using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Registry;
using Recsys.Runs;

namespace Recsys.Retraining.Tests;

/// <summary>
/// The bootstrap of an empty registry as a hosted service of this package: a worker host without serving bootstraps the
/// registry that serving-only replicas read, puts the version at the configured stage or alias, never touches a model
/// with versions, and reads the served model's configuration keys.
/// </summary>
public sealed class BootstrapServiceTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("recsys-bootstrap-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task WorkerHost_EmptyRegistry_BootstrapsFromConfiguration_AtTheAlias_AndOnlyOnce()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Recsys:ModelName"] = "movies",
            ["Recsys:Alias"] = "champion",
            ["Recsys:Bootstrap:Algorithm"] = "popularity",
            ["Recsys:Bootstrap:Companions:top"] = "item-knn",
        };

        using (var host = Start(settings))
        {
            await host.StartAsync(Ct);
            var bootstrapper = host.Services.GetRequiredService<IModelBootstrapper>();
            Assert.Equal(["movies", "top"], bootstrapper.Models.Order(StringComparer.Ordinal));
            await bootstrapper.Completion.WaitAsync(Ct);

            var registry = host.Services.GetRequiredService<IModelRegistry>();
            var version = Assert.Single(await registry.ListVersionsAsync("movies", Ct));
            Assert.Equal(ModelStage.Production, version.Stage);
            Assert.Equal(version.Version, (await registry.GetByAliasAsync("movies", "champion", Ct))?.Version);
            Assert.Equal("popularity", version.Trainer);
            Assert.Equal(ModelStage.Production, Assert.Single(await registry.ListVersionsAsync("top", Ct)).Stage);
            var run = Assert.Single(await host.Services.GetRequiredService<IRunStore>().ListRunsAsync("movies", 10, Ct));
            Assert.Equal(("bootstrap", RunState.Succeeded), (run.Trigger, run.State));
            await host.StopAsync(Ct);
        }

        // A registry with versions is never bootstrapped again.
        using (var again = Start(settings))
        {
            await again.StartAsync(Ct);
            await again.Services.GetRequiredService<IModelBootstrapper>().Completion.WaitAsync(Ct);
            Assert.Single(await again.Services.GetRequiredService<IModelRegistry>().ListVersionsAsync("movies", Ct));
            Assert.Single(await again.Services.GetRequiredService<IRunStore>().ListRunsAsync("movies", 10, Ct));
            await again.StopAsync(Ct);
        }
    }

    [Fact]
    public async Task Disabled_CoversNoModel_AndRegistersNothing()
    {
        using var host = Start(new Dictionary<string, string?> { ["Recsys:Bootstrap:Enabled"] = "false" });
        await host.StartAsync(Ct);
        var bootstrapper = host.Services.GetRequiredService<IModelBootstrapper>();
        await bootstrapper.Completion.WaitAsync(Ct);

        Assert.Empty(bootstrapper.Models);
        Assert.Empty(await host.Services.GetRequiredService<IModelRegistry>().ListModelsAsync(null, Ct));
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task BadSettings_FailTheStart_NamingEachKey()
    {
        using var host = Start(new Dictionary<string, string?>
        {
            ["Recsys:ModelName"] = "movies",
            ["Recsys:Bootstrap:Algorithm"] = "magic",
            ["Recsys:Bootstrap:TestFraction"] = "1.5",
            ["Recsys:Bootstrap:Companions:movies"] = "ease",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Recsys:Bootstrap:Algorithm 'magic' is unknown", error.Message, StringComparison.Ordinal);
        Assert.Contains("Recsys:Bootstrap:TestFraction must be between 0 and 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("'movies' must be a model name other than Recsys:ModelName", error.Message, StringComparison.Ordinal);
        Assert.Empty(await host.Services.GetRequiredService<IModelRegistry>().ListModelsAsync(null, Ct));
    }

    [Fact]
    public async Task FailedRun_FaultsCompletion_WithTheCause_AndTheHostKeepsRunning()
    {
        var empty = Path.Combine(_directory.FullName, "empty.csv");
        await File.WriteAllTextAsync(empty, "userId,movieId,rating,timestamp\n", Ct); // a header and no ratings: the run fails
        using var host = Start(new Dictionary<string, string?> { ["Recsys:ModelName"] = "movies", ["Recsys:Bootstrap:DataPath"] = empty });
        await host.StartAsync(Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Services.GetRequiredService<IModelBootstrapper>().Completion.WaitAsync(Ct));

        Assert.Contains("Bootstrapping model 'movies' (als-implicit) failed in run", error.Message, StringComparison.Ordinal);
        Assert.Empty(await host.Services.GetRequiredService<IModelRegistry>().ListVersionsOrEmptyAsync("movies", Ct));
        await host.StopAsync(Ct); // the failure did not stop the host
    }

    private IHost Start(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.None);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddRecsys().UseSqlite(_directory.FullName).AddBootstrap();
        return builder.Build();
    }
}
