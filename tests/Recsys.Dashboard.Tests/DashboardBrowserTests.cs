using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Recsys.Registry;
using static Microsoft.Playwright.Assertions;

namespace Recsys.Dashboard.Tests;

/// <summary>The dashboard clicked through in Chromium against a real host and registry.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class DashboardBrowserTests(DashboardHost host)
{
    private IModelRegistry Registry => host.Services.GetRequiredService<IModelRegistry>();

    [Fact]
    public async Task VersionsPage_ShowsEveryVersionWithStageMetricsLineage_AndAChartPerMetric()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync("/dashboard");
        await page.GetByRole(AriaRole.Link, new() { Name = DashboardHost.Model, Exact = true }).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboard/models/movies$"));

        var versions = await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None);
        Assert.True(versions.Count >= 3, $"two runs of two candidates register at least 3 versions; {versions.Count}");
        var rows = page.Locator("#versions tbody tr");
        await Expect(rows).ToHaveCountAsync(versions.Count);
        foreach (var version in versions)
        {
            var row = page.Locator($"#versions tr[data-version='{version.Version}']");
            await Expect(row.Locator("td").Nth(1)).ToContainTextAsync(version.Stage.ToString());
            await Expect(row).ToContainTextAsync(version.Trainer);
            await Expect(row.Locator("[data-metric='ndcg_at_k'] b")).ToHaveTextAsync(Number(version.Metrics["ndcg_at_k"]));
            await Expect(row).ToContainTextAsync($"{version.Lineage!.Rows:N0} rows");
        }

        var production = versions.Single(v => v.Stage == ModelStage.Production);
        await Expect(page.Locator($"#versions tr[data-version='{production.Version}']")).ToContainTextAsync("serving here");
        await Expect(page.Locator("figure.chart[data-metric='ndcg_at_k'] circle")).ToHaveCountAsync(versions.Count);
        await Expect(page.Locator("figure.chart[data-metric='ndcg_at_k'] circle.production")).ToHaveCountAsync(1);

        // Read-only without the key: no action is offered.
        await Expect(page.Locator("#session")).ToContainTextAsync("Read-only");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Promote…" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Compare_TwoChosenVersions_ShowsTheirMetricsSideBySideWithTheDifference()
    {
        var versions = (await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None)).OrderBy(v => v.Version).ToList();
        var (a, b) = (versions[0], versions[^1]);
        var page = await host.NewPageAsync();
        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}");
        await page.Locator("#compare-form select[name='a']").SelectOptionAsync(a.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#compare-form select[name='b']").SelectOptionAsync(b.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();

        await Expect(page.Locator("h1")).ToHaveTextAsync($"v{a.Version} and v{b.Version}");
        var ndcg = page.Locator("#compare tr[data-metric='ndcg_at_k'] td");
        await Expect(ndcg.Nth(0)).ToHaveTextAsync(Number(a.Metrics["ndcg_at_k"]));
        await Expect(ndcg.Nth(1)).ToHaveTextAsync(Number(b.Metrics["ndcg_at_k"]));
        var delta = b.Metrics["ndcg_at_k"] - a.Metrics["ndcg_at_k"];
        await Expect(ndcg.Nth(2)).ToHaveTextAsync((delta >= 0 ? "+" : string.Empty) + Number(delta));
        await Expect(page.Locator("#compare")).ToContainTextAsync(a.Trainer);
        await Expect(page.Locator("#compare")).ToContainTextAsync(b.Lineage!.DataFingerprint);
    }

    [Fact]
    public async Task Run_OpenedFromTheList_ShowsItsStepsOnATimelineAndTheDecision()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync("/dashboard/runs");
        var runs = host.Services.GetRequiredService<Recsys.Runs.IRunStore>();
        // The fixture's second run (a test that starts another run from the dashboard may have run first: on unchanged
        // data that one registers nothing and compares nothing).
        var latest = (await runs.ListRunsAsync(DashboardHost.Model, 50, CancellationToken.None)).First(r => r.Trigger == "test");
        await page.GetByRole(AriaRole.Link, new() { Name = latest.Id }).ClickAsync();

        await Expect(page.Locator("h1")).ToContainTextAsync(latest.Id);
        await Expect(page.Locator("svg.timeline g.step")).ToHaveCountAsync(latest.Steps.Count);
        foreach (var step in latest.Steps)
        {
            await Expect(page.Locator($"svg.timeline g.step[data-step='{step.Name}'] rect")).ToHaveCountAsync(1);
        }

        await Expect(page.Locator("#steps tbody tr")).ToHaveCountAsync(latest.Steps.Count);
        await Expect(page.Locator("#decision")).ToContainTextAsync("ndcg_at_k");
        Assert.Contains("ndcg_at_k", latest.Decision!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheKey_EveryActionIsRefused_AndNothingChanges()
    {
        var before = await Snapshot();
        var version = (await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None)).First(v => v.Stage != ModelStage.Production).Version;
        var forms = new Dictionary<string, Dictionary<string, string>>
        {
            ["promote"] = new() { ["action"] = "promote", ["version"] = $"{version}" },
            ["transition"] = new() { ["action"] = "transition", ["version"] = $"{version}", ["stage"] = "Archived" },
            ["set-alias"] = new() { ["action"] = "set-alias", ["version"] = $"{version}", ["alias"] = "champion" },
            ["remove-alias"] = new() { ["action"] = "remove-alias", ["alias"] = "champion" },
            ["rollback"] = new() { ["action"] = "rollback" },
        };

        // Over HTTP with no session, with a forged cookie, and in the browser without signing in.
        foreach (var (name, form) in forms)
        {
            using var anonymous = await host.Http.PostAsync($"/dashboard/models/{DashboardHost.Model}/actions", new FormUrlEncodedContent(form));
            Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{name}: {anonymous.StatusCode}");
            using var forged = new HttpRequestMessage(HttpMethod.Post, $"/dashboard/models/{DashboardHost.Model}/actions") { Content = new FormUrlEncodedContent(form) };
            forged.Headers.Add("Cookie", "recsys_dashboard=bWFsbG9yeQ.1900000000.bm90LWEtc2lnbmF0dXJl");
            using var forgedResponse = await host.Http.SendAsync(forged);
            Assert.True(forgedResponse.StatusCode == HttpStatusCode.Unauthorized, $"{name} (forged cookie): {forgedResponse.StatusCode}");
        }

        using var retrain = await host.Http.PostAsync("/dashboard/runs", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Unauthorized, retrain.StatusCode);
        using var json = await host.Http.PostAsync("/dashboard/signin", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);

        var page = await host.NewPageAsync();
        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}/confirm?action=promote&version={version}");
        await Expect(page.Locator("#changes")).ToContainTextAsync($"→ Production");
        await Expect(page.Locator("#confirm-form")).ToHaveCountAsync(0);
        await Expect(page.Locator("main")).ToContainTextAsync("Sign in with the admin key");

        // A wrong key does not sign in.
        await page.GotoAsync("/dashboard/signin");
        await page.GetByLabel("Your name").FillAsync("mallory");
        await page.GetByLabel("Admin key").FillAsync("not-the-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("The admin key is wrong.");
        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}");
        await Expect(page.Locator("#session")).ToContainTextAsync("Read-only");

        Assert.Equal(before, await Snapshot());
    }

    [Fact]
    public async Task WithTheKey_PromoteShowsTheChange_TheApiServesIt_AndTheAuditNamesTheActor_ThenRollBack()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync($"/dashboard/signin?return=/dashboard/models/{DashboardHost.Model}");
        await page.GetByLabel("Your name").FillAsync("alice");
        await page.GetByLabel("Admin key").FillAsync(DashboardHost.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/dashboard/models/{DashboardHost.Model}$"));
        await Expect(page.Locator("#session")).ToContainTextAsync("Signed in as alice");
        Assert.DoesNotContain(DashboardHost.AdminKey, page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(DashboardHost.AdminKey, await page.ContentAsync(), StringComparison.Ordinal);

        var versions = await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None);
        var production = versions.Single(v => v.Stage == ModelStage.Production);
        var candidate = versions.Where(v => v.Stage != ModelStage.Production).MaxBy(v => v.Version)!;
        await page.Locator($"#versions tr[data-version='{candidate.Version}']").GetByRole(AriaRole.Link, new() { Name = "Promote…" }).ClickAsync();
        await Expect(page.Locator("#changes li")).ToHaveTextAsync([$"v{production.Version}: Production → Archived", $"v{candidate.Version}: {candidate.Stage} → Production"]);
        await page.GetByLabel("Reason").FillAsync("browser test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm as alice" }).ClickAsync();

        await Expect(page.Locator($"#versions tr[data-version='{candidate.Version}'] td").Nth(1)).ToContainTextAsync("Production");
        await Expect(page.Locator($"#versions tr[data-version='{production.Version}'] td").Nth(1)).ToContainTextAsync("Archived");
        await Expect(page.Locator($"#versions tr[data-version='{candidate.Version}']")).ToContainTextAsync("serving here");
        Assert.Equal(candidate.Version, await ServedVersionAsync());

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
        await page.Locator("select[name='kind']").SelectOptionAsync("StageChanged");
        await page.GetByLabel("Actor").FillAsync("alice");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var first = page.Locator("#audit tbody tr").First;
        await Expect(first).ToContainTextAsync($"v{candidate.Version}");
        await Expect(first.Locator(".actor")).ToHaveTextAsync("dashboard:alice");
        await Expect(first).ToContainTextAsync("browser test");

        // Roll back: the confirmation names the version that comes back, and the API serves it again.
        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Roll Production back…" }).ClickAsync();
        await Expect(page.Locator("#changes")).ToContainTextAsync($"v{production.Version}: Archived → Production");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm as alice" }).ClickAsync();
        await Expect(page.Locator($"#versions tr[data-version='{production.Version}'] td").Nth(1)).ToContainTextAsync("Production");
        Assert.Equal(production.Version, await ServedVersionAsync());

        // An alias set and removed through the same pages.
        await page.Locator($"#versions tr[data-version='{candidate.Version}']").GetByRole(AriaRole.Link, new() { Name = "Alias…" }).ClickAsync();
        await page.GetByLabel("Alias").FillAsync("challenger");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await Expect(page.Locator("#changes")).ToContainTextAsync($"alias 'challenger': new → v{candidate.Version}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm as alice" }).ClickAsync();
        Assert.Equal(candidate.Version, (await Registry.GetByAliasAsync(DashboardHost.Model, "challenger", CancellationToken.None))?.Version);
        await page.GetByRole(AriaRole.Link, new() { Name = "Remove challenger…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm as alice" }).ClickAsync();
        Assert.Null(await Registry.GetByAliasAsync(DashboardHost.Model, "challenger", CancellationToken.None));
    }

    [Fact]
    public async Task WithTheKey_StartRetraining_OpensTheNewRunWithTheOperatorAsItsTrigger()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync("/dashboard/signin?return=/dashboard/runs");
        await page.GetByLabel("Your name").FillAsync("bob");
        await page.GetByLabel("Admin key").FillAsync(DashboardHost.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Start a retraining run…" }).ClickAsync();
        await Expect(page.Locator("#changes")).ToContainTextAsync("trains 2 candidate(s) (als-implicit, truncated-svd)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start as bob" }).ClickAsync();

        await Expect(page.Locator("h1")).ToContainTextAsync("Run");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("dashboard:bob");
        var runs = host.Services.GetRequiredService<Recsys.Runs.IRunStore>();
        var run = (await runs.ListRunsAsync(DashboardHost.Model, 1, CancellationToken.None)).Single();
        Assert.Equal("dashboard:bob", run.Trigger);
        Assert.EndsWith($"/dashboard/runs/{run.Id}", page.Url, StringComparison.Ordinal);

        // Let the run end before the next test reads the registry.
        var finished = await Recsys.Tests.Shared.RunCompletion.WaitAsync(host.Services.GetRequiredService<Recsys.Retraining.RetrainingService>(), run.Id, CancellationToken.None);
        Assert.NotEqual(Recsys.Runs.RunState.Running, finished.State);
    }

    [Fact]
    public async Task LivePage_RefreshesWithTheRequestsThisReplicaServes()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync("/dashboard/live");
        var requests = page.Locator("#live-requests");
        var before = long.Parse((await requests.TextContentAsync())!.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        for (var user = 0; user < 40; user++)
        {
            using var response = await host.Http.GetAsync($"/users/{user}/recommendations");
        }

        // The page fetches live.json every 2 seconds; it shows at least the 40 requests just made, with latencies.
        await Expect(page.Locator("#live[data-refreshed]")).ToHaveCountAsync(1);
        await page.WaitForFunctionAsync($"() => Number(document.getElementById('live-requests').textContent.replace(/,/g, '')) >= {before + 40}");
        await Expect(page.Locator("#live-p99")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+(\.\d+)? ms$"));
        await Expect(page.Locator("#live-compute")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+(\.\d+)? ms$"));

        // The last minute second by second: the seconds with requests are drawn (a line, or a dot for a lone second).
        foreach (var chart in new[] { "requests", "p99" })
        {
            await Expect(page.Locator($"#live-history figure[data-history='{chart}']").Locator("polyline, circle").First).ToBeAttachedAsync();
        }
        await Expect(page.Locator("#live-served")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^{DashboardHost.Model} v\\d+$"));
    }

    private async Task<int> ServedVersionAsync()
    {
        using var response = await host.Http.GetAsync("/users/1/recommendations");
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("model").GetProperty("version").GetInt32();
    }

    // Every version's stage and aliases, and the length of the audit history: what an action would change.
    private async Task<List<string>> Snapshot() =>
        [
            .. (await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None)).OrderBy(v => v.Version).Select(v => $"v{v.Version} {v.Stage} [{string.Join(",", v.Aliases)}]"),
            $"history {(await Registry.GetHistoryAsync(DashboardHost.Model, CancellationToken.None)).Count}",
        ];

    private static string Number(double value) => value.ToString(Math.Abs(value) >= 1000 ? "N0" : "0.####", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One host and registry for the dashboard tests, which run one after another (they change its stages).</summary>
[CollectionDefinition(nameof(DashboardCollection))]
public sealed class DashboardCollection : ICollectionFixture<DashboardHost>;
