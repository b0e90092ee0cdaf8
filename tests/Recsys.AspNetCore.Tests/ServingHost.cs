using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Recsys.Registry;
using Recsys.Retraining;

namespace Recsys.AspNetCore.Tests;

/// <summary>A web host with the recommender mapped, in-process (TestServer) or on real Kestrel on loopback.</summary>
internal sealed class ServingHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServingHost(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ServingHost> StartAsync(
        Action<IRecsysBuilder> backend,
        Action<RecommenderOptions>? configure = null,
        bool kestrel = false,
        bool warmUp = false,
        Action<BootstrapOptions>? bootstrap = null,
        bool retraining = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (kestrel)
        {
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        var recommender = builder.Services.AddRecommender(options =>
        {
            options.ModelName = TestModels.Model;
            configure?.Invoke(options);
        });
        // The warm-up (which only runs on Kestrel) is off unless a test asks for it: it would run beside every test.
        builder.Services.Configure<RecommenderHttpOptions>(options =>
        {
            options.AdminApiKey = "test-key";
            options.WarmUp = warmUp;
        });
        builder.Services.AddOpenApi("recsys", options => options.AddRecsysContract()); // what a host adds, as the sample does
        if (bootstrap is not null)
        {
            // What trains a first version of an empty registry: Recsys.Retraining's hosted service.
            builder.Services.AddRecsysBootstrap(options =>
            {
                options.ModelName = TestModels.Model;
                bootstrap(options);
            });
        }
        if (retraining)
        {
            // A host that trains: the flow on synthetic data, and POST /models/retrain mapped.
            builder.Services.AddSingleton(InteractionSources.Synthetic(new Recsys.Data.SyntheticDataOptions { Users = 100, Items = 200, Interactions = 3_000 }));
            builder.Services.AddRetraining(options =>
            {
                options.ModelName = TestModels.Model;
                options.Candidates.Add(new CandidateOptions { Algorithm = "popularity" });
            });
        }

        backend(recommender);
        var app = builder.Build();
        app.MapRecommender();
        if (retraining)
        {
            app.MapRetraining();
        }

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(RecsysHealthChecks.ReadyTag) });
        app.MapHealthChecks("/health");
        app.MapOpenApi("/openapi/{documentName}.json");
        await app.StartAsync(TestContext.Current.CancellationToken);
        await app.Services.GetRequiredService<ModelProvider>().Started;

        HttpClient client;
        if (kestrel)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            client = new HttpClient { BaseAddress = new Uri(address) };
        }
        else
        {
            client = app.GetTestClient();
        }

        return new ServingHost(app, client);
    }

    public static Action<IRecsysBuilder> Sqlite(string directory) => b => b.UseSqlite(directory);

    /// <summary>
    /// Completes when this host serves <paramref name="version"/> of its configured stage or alias: by the provider's
    /// swap event, not by polling. Start it before the change that causes the swap.
    /// </summary>
    /// <param name="version">The version.</param>
    /// <param name="hangGuard">Fails a test that would otherwise hang; never a speed limit.</param>
    public Task SwappedAsync(int version, TimeSpan hangGuard) =>
        Recsys.Tests.Shared.ServedVersions.SwappedAsync(Services, version, hangGuard, TestContext.Current.CancellationToken);

    public IModelRegistry Registry => _app.Services.GetRequiredService<IModelRegistry>();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

/// <summary>A temporary directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"recsys-serving-{Guid.NewGuid():N}");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
