using Recsys.AspNetCore;
using Recsys.Data;
using Recsys.Retraining;

// The sample web host: serves the registry's Production model of "movies". On a fresh clone the registry is empty,
// so it bootstraps: trains als-implicit on the built-in synthetic data (or on --data ratings.csv), measures it on a
// holdout, refits it on all the data, registers and promotes it, and serves within seconds. With --data it bootstraps
// the original service's algorithm switch too: models "svd", "nmf" and "hybrid" (algorithm=svd|nmf|hybrid).
// POST /models/retrain (with Recsys:AdminApiKey) runs the retraining flow in this process on the same data plus
// every stored interaction; with several replicas on one registry, one run at a time holds the model's lock.
//
//   dotnet run --project samples/Recsys.Samples.WebApi
//   dotnet run --project samples/Recsys.Samples.WebApi -- --data ../shared/data/ml-latest-small/ratings.csv --movies ../shared/data/ml-latest-small/movies.csv
//
// Settings (appsettings.json, environment Recsys__*, or the command line): Recsys:Registry (a directory, default
// ./recsys-registry), Recsys:PostgreSql (a connection string: use PostgreSQL instead), Recsys:Redis (add Redis as the
// second cache level), Recsys:AdminApiKey (enables /admin/* and /models/retrain), and every RecommenderOptions property.
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
{
    ["--data"] = "Recsys:Bootstrap:DataPath",
    ["--movies"] = "Recsys:MoviesPath",
    ["--registry"] = "Recsys:Registry",
    ["--postgres"] = "Recsys:PostgreSql",
    ["--redis"] = "Recsys:Redis",
});

var settings = builder.Configuration.GetSection("Recsys");
var recommender = builder.Services.AddRecommender(); // binds the Recsys section

// The original's svd / nmf / hybrid (Recsys:Bootstrap:Companions) are trained beside the served model when real data
// is given (--data); the synthetic quick start serves the main model only, and fast.
var withData = settings["Bootstrap:DataPath"] is { Length: > 0 };
builder.Services.PostConfigure<RecommenderOptions>(options =>
{
    if (options.Bootstrap.DataPath is null)
    {
        options.Bootstrap.Companions.Clear();
    }
});
if (settings["PostgreSql"] is { Length: > 0 } postgres)
{
    recommender.AddPostgreSqlRegistry(postgres);
}
else
{
    recommender.AddSqliteRegistry(settings["Registry"] is { Length: > 0 } directory ? directory : "recsys-registry");
}

if (settings["Redis"] is { Length: > 0 } redis)
{
    recommender.AddRedisCache(redis);
}

// Retraining on demand: the bootstrap's data (or the synthetic set) plus every interaction stored through the API.
builder.Services.AddSingleton(sp => InteractionSources.Store(
    sp.GetRequiredService<IInteractionStore>(),
    settings["Bootstrap:DataPath"] is { Length: > 0 } data ? InteractionSources.File(data) : InteractionSources.Synthetic(new SyntheticDataOptions())));
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
app.Run();

/// <summary>The sample's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
