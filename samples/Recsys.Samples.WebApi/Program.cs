using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Recsys;
using Recsys.AspNetCore;
using Recsys.Data;
using Recsys.Registry;
using Recsys.Retraining;
using Recsys.Samples;
using Recsys.Samples.WebApi;
using Recsys.Serving;
using Scalar.AspNetCore;

// The sample web host: serves the registry's Production model of "movies". On a fresh clone the registry is empty,
// so it bootstraps: trains als-implicit on the built-in synthetic data (or on --data ratings.csv), measures it on a
// holdout, refits it on all the data, registers and promotes it, and serves within seconds. With --data it bootstraps
// the original service's algorithm switch too: models "svd", "nmf" and "hybrid" (algorithm=svd|nmf|hybrid).
// POST /models/retrain (with Recsys:AdminApiKey) runs the retraining flow in this process on the same data plus
// every stored interaction; with several replicas on one registry, one run at a time holds the model's lock.
//
//   dotnet run -c Release --project samples/Recsys.Samples.WebApi
//   dotnet run -c Release --project samples/Recsys.Samples.WebApi -- --data ../shared/data/ml-latest-small/ratings.csv --movies ../shared/data/ml-latest-small/movies.csv
//
// Settings (appsettings.json, environment Recsys__*, or the command line): Recsys:Registry (a directory, default
// ./recsys-registry), Recsys:PostgreSql (a connection string: use PostgreSQL instead), Recsys:Artifacts (with PostgreSQL:
// artifacts in Azure Blob Storage, az://container/prefix), Recsys:Redis (add Redis as the
// second cache level), Recsys:AdminApiKey (enables /admin/* and /models/retrain), and every RecommenderOptions property.
var switches = new Dictionary<string, string>
{
    ["--data"] = "Recsys:Bootstrap:DataPath",
    ["--movies"] = "Recsys:MoviesPath",
    ["--registry"] = "Recsys:Registry",
    ["--postgres"] = "Recsys:PostgreSql",
    ["--redis"] = "Recsys:Redis",
    ["--artifacts"] = "Recsys:Artifacts",
};
if (SamplePaths.UnknownOption(args, switches.Keys) is { } unknownOption)
{
    Console.Error.WriteLine(unknownOption);
    return 2;
}

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, switches);

SamplePaths.ResolveAgainstUserDirectory(builder.Configuration, "Recsys:Bootstrap:DataPath", "Recsys:MoviesPath", "Recsys:Registry");
var settings = builder.Configuration.GetSection("Recsys");
var recsys = builder.Services.AddRecommender(); // binds the Recsys section

// The bootstrap of an empty registry (Recsys.Retraining, a hosted service; Recsys:Bootstrap, bound with the served
// model's keys). The original's svd / nmf / hybrid (Recsys:Bootstrap:Companions) are trained beside the served model
// when real data is given (--data); the synthetic quick start serves the main model only, and fast.
var withData = settings["Bootstrap:DataPath"] is { Length: > 0 };
builder.Services.AddRecsysBootstrap(options =>
{
    if (options.DataPath is null)
    {
        options.Companions.Clear();
    }
});
if (settings["PostgreSql"] is { Length: > 0 } postgres)
{
    // Artifacts in Azure Blob Storage / ADLS (az://container/prefix, abfss://…, https://account.blob.core.windows.net/…)
    // or S3 (s3://bucket/prefix) beside the PostgreSQL metadata, or in the database.
    recsys.UsePostgreSql(postgres, o => o.Artifacts = settings["Artifacts"] switch
    {
        { Length: > 0 } s3 when s3.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) => S3ArtifactStore.FromUrl(s3),
        { Length: > 0 } azure => AzureBlobArtifactStore.FromUrl(azure),
        _ => null,
    });
}
else if (settings["Artifacts"] is { Length: > 0 })
{
    Console.Error.WriteLine("Recsys:Artifacts (--artifacts) keeps artifacts in blob storage beside a PostgreSQL registry: set Recsys:PostgreSql (--postgres) too; a SQLite registry keeps them in its folder.");
    return 2;
}
else
{
    recsys.UseSqlite(settings["Registry"] is { Length: > 0 } directory ? directory : "recsys-registry");
}

if (settings["Redis"] is { Length: > 0 } redis)
{
    recsys.UseDistributedCache(_ => RedisCaches.Create(redis));
}

// What the library leaves to the host: problem details for unhandled errors, the OpenAPI document, metrics and
// traces (Recsys reports on the meter and activity source "Recsys"; the exporter is the host's choice).
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi("recsys", options => options.AddRecsysContract());
builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddMeter(RecsysTelemetry.MeterName, "System.Runtime").AddAspNetCoreInstrumentation().AddPrometheusExporter())
    .WithTracing(tracing => tracing.AddSource(RecsysTelemetry.ActivitySourceName).AddAspNetCoreInstrumentation());

// Retraining on demand: the bootstrap's data (or the synthetic set) plus every interaction stored through the API.
// Stored rows are checked against the host's rating scale (Recsys:RatingScale; unset: the data's own), as POST
// /interactions checks them.
builder.Services.AddSingleton(sp => InteractionSources.Store(
    sp.GetRequiredService<IInteractionStore>(),
    settings["Bootstrap:DataPath"] is { Length: > 0 } data ? InteractionSources.FromPath(data) : InteractionSources.Synthetic(new SyntheticDataOptions()),
    sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RecommenderOptions>>().Value.RatingScale));
builder.Services.AddRetraining(options =>
{
    options.ModelName = settings["ModelName"] is { Length: > 0 } name ? name : "movies";
    options.MoviesPath = settings["MoviesPath"] is { Length: > 0 } movies ? movies : null;
    settings.GetSection("Retraining").Bind(options);
    if (options.Candidates.Count == 0)
    {
        // The host serves top-N lists: top-N candidates, promoted on NDCG@10 (the policy's default).
        foreach (var algorithm in new[] { "als-implicit", "truncated-svd" })
        {
            options.Candidates.Add(new CandidateOptions { Algorithm = algorithm });
        }

        // The same run retrains the original's svd, nmf and hybrid, each compared with its own Production.
        foreach (var companion in withData ? settings.GetSection("Bootstrap:Companions").GetChildren() : [])
        {
            options.Candidates.Add(new CandidateOptions { Algorithm = companion.Value!, ModelName = companion.Key });
        }
    }
});

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapRecommender();
app.MapRetraining(); // POST /models/retrain (admin): this host trains; a serving-only replica leaves it out
app.MapRecommenderDashboard("/dashboard"); // read-only without the admin key; changes need Recsys:AdminApiKey
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(RecsysHealthChecks.ReadyTag) });
app.MapHealthChecks("/health");
app.MapPrometheusScrapingEndpoint("/metrics");
app.MapOpenApi("/openapi/{documentName}.json");
app.MapScalarApiReference("/docs", o => o.WithOpenApiRoutePattern("/openapi/{documentName}.json").AddDocument("recsys")); // the API's docs UI, served from the package (no CDN)
return SamplePaths.Run(app.Configuration["urls"], () =>
{
    // Checked before the host starts, so a bad setting is one line, not a hosting error with a stack trace.
    _ = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RecommenderOptions>>().Value;
    app.Run();
});

/// <summary>The sample's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
