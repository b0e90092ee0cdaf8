using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Recsys.Runs;

namespace Recsys.Retraining.Tests;

/// <summary>What the retraining package registers, from the service collection and from the Recsys builder.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public async Task OnTheBuilder_AddRetrainingAndAddBootstrap_RegisterTheFlowAsLauncherAndTheBootstrapper()
    {
        var directory = Directory.CreateTempSubdirectory("recsys-registration-");
        try
        {
            var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.None));
            services.AddRecsys().UseSqlite(directory.FullName)
                .AddRetraining(o =>
                {
                    o.ModelName = "movies";
                    o.Candidates.Add(new CandidateOptions { Algorithm = "ease" });
                })
                .AddBootstrap(o =>
                {
                    o.ModelName = "movies";
                    o.Stage = Registry.ModelStage.Staging;
                })
                .AddBootstrap();
            await using (var provider = services.BuildServiceProvider())
            {
                var flow = provider.GetRequiredService<RetrainingService>();
                var launcher = provider.GetRequiredService<IRetrainingLauncher>();
                Assert.Same(flow, launcher);
                Assert.Equal("movies", launcher.ModelName);
                Assert.Contains("trains 1 candidate(s) (ease)", launcher.Description, StringComparison.Ordinal);
                Assert.Equal(["movies"], provider.GetRequiredService<IModelBootstrapper>().Models); // as the first AddBootstrap set it
                Assert.Single(services, d => d.ServiceType == typeof(IModelBootstrapper)); // the second AddBootstrap added nothing
                Assert.Single(services, d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService)); // the bootstrap; the flow itself runs no service
                Assert.Equal(Registry.ModelStage.Staging, provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<BootstrapOptions>>().Value.Stage);
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
