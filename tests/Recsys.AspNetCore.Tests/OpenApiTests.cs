using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Recsys.AspNetCore.Tests;

/// <summary>The OpenAPI document states the whole contract: read back with OpenAPI.NET, checked against the README's requests.</summary>
public sealed partial class OpenApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Document_IsValid_AndDescribesEveryOperationTheReadmeUses()
    {
        using var directory = new TempDirectory();
        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(directory.Path), retraining: true);
        await using var stream = await host.Client.GetStreamAsync("/openapi/recsys.json", Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        buffer.Position = 0;

        var read = await OpenApiDocument.LoadAsync(buffer, "json", new OpenApiReaderSettings(), Ct);

        Assert.Empty(read.Diagnostic?.Errors ?? []);
        var document = read.Document!;
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
        var operations = document.Paths.SelectMany(p => p.Value.Operations!.Select(o => (Method: o.Key.Method.ToUpperInvariant(), Path: p.Key, Operation: o.Value))).ToList();
        Assert.Equal(10, operations.Count);

        // Every request the README and docs/ show (health, metrics and the document itself aside) is an operation of the document.
        var root = RepositoryRoot();
        var readme = string.Join("\n", Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Prepend(Path.Combine(root, "README.md")).Select(File.ReadAllText));
        var used = CurlRequest().Matches(readme).Select(m => (Method: m.Groups["method"].Success ? m.Groups["method"].Value : "GET", Path: m.Groups["path"].Value))
            .Where(r => !r.Path.StartsWith("/health", StringComparison.Ordinal) && r.Path != "/metrics" && !r.Path.StartsWith("/openapi", StringComparison.Ordinal))
            .Distinct().ToList();
        Assert.True(used.Count >= 9, $"only {used.Count} requests were found in README.md and docs/");
        foreach (var (method, path) in used)
        {
            Assert.True(operations.Any(o => o.Method == method && Matches(o.Path, path)), $"documented request {method} {path} is not in the OpenAPI document");
        }

        // Parameters, bodies and status codes are stated, ids typed as the endpoints accept them.
        var forUser = operations.Single(o => o.Method == "GET" && o.Path == "/users/{user_id}/recommendations").Operation;
        Assert.Equal(
            ["user_id", "num_recommendations", "exclude_seen", "algorithm", "include_genres", "exclude_genres", "exclude_items", "min_score"],
            forUser.Parameters!.Select(p => p.Name));
        Assert.Equal(JsonSchemaType.Integer, forUser.Parameters!.Single(p => p.Name == "num_recommendations").Schema!.Type);
        Assert.Equal(["200", "400", "503"], forUser.Responses!.Keys);
        var interactions = operations.Single(o => o.Method == "POST" && o.Path == "/interactions").Operation;
        Assert.Contains("201", interactions.Responses!.Keys);
        Assert.DoesNotContain("200", interactions.Responses!.Keys);
        var body = document.Components!.Schemas!["RecommendationRequest"];
        var userId = body.Properties!["user_id"];
        Assert.True(userId.Type!.Value.HasFlag(JsonSchemaType.String) && userId.Type.Value.HasFlag(JsonSchemaType.Integer), $"user_id is {userId.Type}");
        Assert.Equal(JsonSchemaType.Integer, body.Properties["num_recommendations"].Type!.Value & ~JsonSchemaType.Null);
        Assert.Contains("problem", operations.Single(o => o.Path == "/recommendations").Operation.Responses!["400"].Content!.Keys.Single(), StringComparison.Ordinal);
        Assert.All(document.Components.Schemas.Values.SelectMany(s => s.Properties?.Keys ?? []), name => Assert.Equal(name.ToLowerInvariant(), name));
    }

    [Fact]
    public async Task Document_StatesTheAdminKeyTheRequestBoundsAndTheOneOrManyInteractionBody()
    {
        using var directory = new TempDirectory();
        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(directory.Path), retraining: true);
        await using var stream = await host.Client.GetStreamAsync("/openapi/recsys.json", Ct);
        var document = (await OpenApiDocument.LoadAsync(stream, "json", new OpenApiReaderSettings(), Ct)).Document!;

        var scheme = document.Components!.SecuritySchemes!["AdminApiKey"];
        Assert.Equal((SecuritySchemeType.ApiKey, ParameterLocation.Header, "X-Api-Key"), (scheme.Type!.Value, scheme.In!.Value, scheme.Name));
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations!)
            {
                var admin = path.StartsWith("/admin", StringComparison.Ordinal) || path.StartsWith("/runs", StringComparison.Ordinal) || path == "/models/retrain";
                var requirement = Assert.Single(operation.Security!);
                Assert.True(admin == (requirement.Count == 1), $"{method} {path}: admin {admin}, security {requirement.Count}");
            }
        }

        var request = document.Components.Schemas!["RecommendationRequest"];
        Assert.Equal(["user_id"], request.Required!);
        Assert.Equal(("1", "100"), (request.Properties!["num_recommendations"].Minimum, request.Properties["num_recommendations"].Maximum));
        var body = document.Paths["/interactions"].Operations![HttpMethod.Post].RequestBody!.Content!["application/json"].Schema!;
        Assert.Equal(2, body.OneOf!.Count);
        Assert.Equal(JsonSchemaType.Array, body.OneOf[1].Type);
        Assert.Equal(["Running", "Succeeded", "Failed", "Cancelled", "Abandoned"], document.Components.Schemas["RunState"].Enum!.Select(e => e!.GetValue<string>()));
        Assert.True(document.Paths["/models/retrain"].Operations![HttpMethod.Post].Responses!["202"].Headers!.ContainsKey("Location"));
    }

    [Fact]
    public async Task Document_ConfiguredRatingScale_IsTheRatingsMinimumAndMaximumAndIsEnforced()
    {
        using var directory = new TempDirectory();
        await using var host = await ServingHost.StartAsync(ServingHost.Sqlite(directory.Path), o => o.RatingScale = Recsys.Data.RatingScale.Parse("1:10"));
        await using var stream = await host.Client.GetStreamAsync("/openapi/recsys.json", Ct);
        var document = (await OpenApiDocument.LoadAsync(stream, "json", new OpenApiReaderSettings(), Ct)).Document!;

        var rating = document.Components!.Schemas!["InteractionRequest"].Properties!["rating"];
        using var refused = await host.Client.PostAsync("/interactions", new StringContent("""{"user_id":"u","item_id":"i","rating":0.5}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        using var accepted = await host.Client.PostAsync("/interactions", new StringContent("""{"user_id":"u","item_id":"i","rating":10}""", System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(("1", "10"), (rating.Minimum, rating.Maximum));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("[0].rating 0.5 is outside the rating scale 1 to 10 (Recsys:RatingScale).", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.Created, accepted.StatusCode);
    }

    /// <summary>Whether a document path template (<c>/users/{user_id}/…</c>) matches a README path (<c>/users/1/…</c>).</summary>
    private static bool Matches(string template, string path)
    {
        var a = template.Split('/');
        var b = path.Split('/');
        return a.Length == b.Length && a.Zip(b).All(x => x.First.StartsWith('{') || x.First == x.Second);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Recsys.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("No Recsys.sln above the test's directory.");
    }

    [GeneratedRegex(@"curl (?:-X (?<method>[A-Z]+) )?'?localhost:5000(?<path>/[^\s'?;]*)")]
    private static partial Regex CurlRequest();
}
