using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.AspNetCore.Mvc.Testing;
using Recsys.Retraining;
using Recsys.Tests.Shared;

namespace Recsys.AspNetCore.Tests;

/// <summary>
/// Every operation of the OpenAPI document called on the sample host, and every response body checked against the
/// schema the document gives for its status (JSON Schema 2020-12, as OpenAPI 3.1 schemas are): the contract a generated
/// client relies on.
/// </summary>
public sealed class ContractTests
{
    private const string Key = "contract-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryOperation_RealResponses_ValidateAgainstTheDocument()
    {
        using var directory = new TempDirectory();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Recsys:Registry", directory.Path);
            b.UseSetting("Recsys:AdminApiKey", Key);
        });
        using var client = factory.CreateClient();
        await factory.Services.GetRequiredService<ModelProvider>().Started.WaitAsync(Poll.HangGuard, Ct); // bootstrapped and loaded
        await Poll.UntilAsync(async () => (await client.GetAsync("/health/ready", Ct)).IsSuccessStatusCode, "the sample host was ready", cancellationToken: Ct);

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/recsys.json", Ct))!;
        var checkedOperations = new HashSet<string>(StringComparer.Ordinal);
        var failures = new List<string>();

        async Task<JsonNode?> CallAsync(HttpMethod method, string template, string path, string? body = null, bool admin = false)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            if (admin)
            {
                request.Headers.Add("X-Api-Key", Key);
            }

            using var response = await client.SendAsync(request, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var operation = document["paths"]?[template]?[method.Method.ToLowerInvariant()];
            if (operation is null)
            {
                failures.Add($"{method} {template} is not in the document");
                return null;
            }

            checkedOperations.Add($"{method} {template}");
            var content = operation["responses"]?[status]?["content"]?.AsObject().FirstOrDefault().Value;
            if (content?["schema"] is not { } schema)
            {
                failures.Add($"{method} {path} answered {status}, which the document does not state: {text}");
                return null;
            }

            var instance = JsonNode.Parse(text);
            using var parsed = JsonDocument.Parse(text);
            var result = Schema(document, schema).Evaluate(parsed.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!result.IsValid)
            {
                var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}");
                failures.Add($"{method} {path} {status}: {string.Join(" | ", errors)} in {text}");
            }

            if (operation["responses"]?[status]?["headers"] is JsonObject headers)
            {
                foreach (var (header, _) in headers)
                {
                    if (!response.Headers.Contains(header) && !response.Content.Headers.Contains(header))
                    {
                        failures.Add($"{method} {path} {status}: the document states the header {header}, the response has none");
                    }
                }
            }

            return instance;
        }

        await CallAsync(HttpMethod.Get, "/users/{user_id}/recommendations", "/users/1/recommendations?num_recommendations=5");
        await CallAsync(HttpMethod.Get, "/users/{user_id}/recommendations", "/users/nobody-yet/recommendations");
        await CallAsync(HttpMethod.Get, "/users/{user_id}/recommendations", "/users/1/recommendations?num_recommendations=0");
        await CallAsync(HttpMethod.Post, "/recommendations", "/recommendations", """{"user_id": 1, "num_recommendations": 3}""");
        await CallAsync(HttpMethod.Post, "/recommendations", "/recommendations", """{"user_id": "unknown", "num_recommendations": 3, "filters": {"exclude_items": [1]}}""");
        await CallAsync(HttpMethod.Post, "/recommendations", "/recommendations", """{"num_recommendations": 3}""");
        await CallAsync(HttpMethod.Get, "/items/{item_id}/similar", "/items/1/similar?num_recommendations=3");
        await CallAsync(HttpMethod.Post, "/interactions", "/interactions", """{"user_id": "c1", "item_id": 1, "rating": 4.5, "interaction_type": "rating"}""");
        await CallAsync(HttpMethod.Post, "/interactions", "/interactions", """[{"user_id": "c1", "item_id": 2}, {"user_id": "c2", "item_id": 3, "rating": 3}]""");
        await CallAsync(HttpMethod.Post, "/interactions", "/interactions", """[{"user_id": "c1", "item_id": 2, "rating": 1e10}]""");
        await CallAsync(HttpMethod.Get, "/users/{user_id}/interactions", "/users/c1/interactions");
        await CallAsync(HttpMethod.Get, "/stats", "/stats");
        await CallAsync(HttpMethod.Post, "/admin/reload-models", "/admin/reload-models", admin: true);
        var accepted = await CallAsync(HttpMethod.Post, "/models/retrain", "/models/retrain", admin: true);
        var runId = accepted?["run_id"]?.GetValue<string>() ?? "missing";
        if (accepted is not null)
        {
            await RunCompletion.WaitAsync(factory.Services.GetRequiredService<RetrainingService>(), runId, Ct);
        }

        await CallAsync(HttpMethod.Get, "/runs", "/runs", admin: true);
        await CallAsync(HttpMethod.Get, "/runs/{run_id}", $"/runs/{runId}", admin: true);
        await CallAsync(HttpMethod.Get, "/runs/{run_id}", "/runs/no-such-run", admin: true);
        await CallAsync(HttpMethod.Get, "/runs", "/runs");

        var operations = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}")).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} responses do not match the document:\n" + string.Join("\n", failures));
        Assert.Equal(operations.Order(StringComparer.Ordinal), checkedOperations.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DocsUi_IsServedByTheSampleFromItsOwnAssets_AndReadsTheDocument()
    {
        using var directory = new TempDirectory();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("Recsys:Registry", directory.Path));
        using var client = factory.CreateClient();

        using var page = await client.GetAsync("/docs/", Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("\"url\":\"openapi/recsys.json\"", html, StringComparison.Ordinal); // resolved against the site's root
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.False(Uri.TryCreate(script, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.Ordinal), $"{script} is loaded from another host");
            using var asset = await client.GetAsync(new Uri(new Uri("http://localhost/docs/"), script), Ct);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        }
    }

    /// <summary>A response schema of the document as a standalone JSON Schema: the document's component schemas become its $defs.</summary>
    private static JsonSchema Schema(JsonNode document, JsonNode schema)
    {
        var text = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = document["components"]!["schemas"]!.DeepClone(),
            ["allOf"] = new JsonArray(schema.DeepClone()),
        }.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        return JsonSchema.FromText(text);
    }
}
