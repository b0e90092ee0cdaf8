using Recsys.AspNetCore;

// The sample web host: serves the registry's Production model of "movies". On a fresh clone the registry is empty,
// so it bootstraps: trains als-implicit on the built-in synthetic data (or on --data ratings.csv), registers and
// promotes it, and serves within seconds.
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

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapRecommender();
app.Run();

/// <summary>The sample's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
