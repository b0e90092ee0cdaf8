using OpenTelemetry.Metrics;
using Recsys;
using Recsys.Data;
using Recsys.Retraining;
using Recsys.Runs;
using Recsys.Samples;

// The sample retraining worker: runs the retraining flow of "movies" on its triggers against a registry, and serves
// /health and /metrics. Web hosts on the same registry pick up what it promotes through the change feed.
//
//   dotnet run -c Release --project samples/Recsys.Samples.Worker -- --registry ../Recsys.Samples.WebApi/recsys-registry \
//       --data ../shared/data/ml-latest-small/ratings.csv --interval 00:10:00
//
// Settings (appsettings.json, Recsys__* variables or the command line): Recsys:Registry (directory) or
// Recsys:PostgreSql, Recsys:Data (ratings file, Parquet file or folder, or Delta table directory: a Delta table
// records its version in each model's lineage and its new versions count for MinNewInteractions; the interaction
// store is always added; its rows must lie on Recsys:RatingScale, MIN:MAX, default the data's own scale), Recsys:Retraining:*
// (ModelName, Candidates, Split, MaxParallelism, Interval, Cron, MinNewInteractions, Promotion:{PrimaryMetric,MinImprovement}).
var switches = new Dictionary<string, string>
{
    ["--registry"] = "Recsys:Registry",
    ["--postgres"] = "Recsys:PostgreSql",
    ["--data"] = "Recsys:Data",
    ["--interval"] = "Recsys:Retraining:Interval",
    ["--cron"] = "Recsys:Retraining:Cron",
    ["--min-new-interactions"] = "Recsys:Retraining:MinNewInteractions",
};
if (SamplePaths.UnknownOption(args, switches.Keys) is { } unknownOption)
{
    Console.Error.WriteLine(unknownOption);
    return 2;
}

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, switches);

SamplePaths.ResolveAgainstUserDirectory(builder.Configuration, "Recsys:Data", "Recsys:Registry");
var settings = builder.Configuration.GetSection("Recsys");
if (settings["Data"] is { Length: > 0 } dataPath && !File.Exists(dataPath) && !Directory.Exists(dataPath))
{
    Console.Error.WriteLine($"recsys sample: Recsys:Data '{dataPath}' does not exist.");
    return 2;
}

RatingScale? ratingScale = null;
try
{
    ratingScale = settings["RatingScale"] is { Length: > 0 } scaleText ? RatingScale.Parse(scaleText) : null;
}
catch (FormatException e)
{
    Console.Error.WriteLine($"recsys sample: Recsys:RatingScale: {e.Message}");
    return 2;
}

var recsys = builder.Services.AddRecsys();
if (settings["PostgreSql"] is { Length: > 0 } postgres)
{
    recsys.UsePostgreSql(postgres);
}
else
{
    recsys.UseSqlite(settings["Registry"] is { Length: > 0 } directory ? directory : "recsys-registry");
}

builder.Services.AddSingleton(sp => InteractionSources.Store(
    sp.GetRequiredService<IInteractionStore>(),
    settings["Data"] is { Length: > 0 } data ? InteractionSources.FromPath(data) : InteractionSources.Synthetic(new SyntheticDataOptions()),
    ratingScale)); // stored rows checked as the web host's POST /interactions checks them
builder.Services.AddRetraining(options =>
{
    settings.GetSection("Retraining").Bind(options);
    if (options.Candidates.Count == 0)
    {
        // The web host serves top-N lists: top-N candidates, judged on NDCG@10 (the policy's default metric).
        foreach (var algorithm in new[] { "als-implicit", "truncated-svd" })
        {
            options.Candidates.Add(new CandidateOptions { Algorithm = algorithm });
        }
    }
});
builder.Services.AddRetrainingWorker();
builder.Services.AddHealthChecks().AddCheck<RunStoreHealthCheck>("run-store");
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(RecsysTelemetry.MeterName, "System.Runtime").AddPrometheusExporter());

// /runs as the web host writes it: snake_case, states as names, nulls left out.
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
    o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
    o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
});

var app = builder.Build();
app.MapHealthChecks("/health");
app.MapPrometheusScrapingEndpoint("/metrics");
// The run history names hosts, processes and paths: admin only, with the web host's key (Recsys:AdminApiKey, header
// X-Api-Key): 403 when no key is configured or the key is wrong, 401 without one.
var adminKey = app.Configuration["Recsys:AdminApiKey"];
app.MapGet("/runs", async (HttpContext context, IRunStore runs, Microsoft.Extensions.Options.IOptions<RetrainingOptions> options, CancellationToken ct) =>
{
    var given = context.Request.Headers["X-Api-Key"].ToString();
    if (string.IsNullOrEmpty(adminKey))
    {
        return Results.Problem(statusCode: 403, title: "Admin endpoints are disabled", detail: "Set Recsys:AdminApiKey on the worker to read its run history with the X-Api-Key header.");
    }

    if (given.Length == 0)
    {
        return Results.Problem(statusCode: 401, title: "Admin key needed", detail: "Send the admin key in the X-Api-Key header.");
    }

    if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(adminKey)))
    {
        return Results.Problem(statusCode: 403, title: "Wrong admin key", detail: "The X-Api-Key header does not match Recsys:AdminApiKey.");
    }

    return Results.Json(await runs.ListRunsAsync(options.Value.ModelName, 20, ct).ConfigureAwait(false));
});
return SamplePaths.Run(app.Configuration["urls"], () =>
{
    // Checked before the host starts, so a bad setting is one line, not a hosting error with a stack trace.
    _ = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RetrainingOptions>>().Value;
    app.Run();
});

/// <summary>Healthy when the run history (the registry database) answers and the latest run did not fail (then Degraded).</summary>
internal sealed class RunStoreHealthCheck(IRunStore runs) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latest = await runs.ListRunsAsync(null, 1, cancellationToken);
            return latest is [{ State: RunState.Failed } failed]
                ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Degraded($"the latest run {failed.Id} failed ({failed.Error}); the worker retries it with backoff")
                : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(latest.Count == 0 ? "no runs yet" : $"latest run {latest[0].Id}: {latest[0].State}");
        }
        catch (System.Data.Common.DbException e)
        {
            return Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("the run store does not answer", e);
        }
    }
}
