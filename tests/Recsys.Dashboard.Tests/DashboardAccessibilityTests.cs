using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Recsys.Registry;
using Recsys.Runs;
using static Microsoft.Playwright.Assertions;

namespace Recsys.Dashboard.Tests;

/// <summary>
/// Every dashboard page, anonymous and signed in, at a phone's width (390 px) and a desktop's: no horizontal scroll
/// of the page (wide tables scroll inside their own box), and axe-core (npm, injected by Playwright) finds no serious or
/// critical violation. The charts draw one line per algorithm on a zero-based, labelled axis.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class DashboardAccessibilityTests(DashboardHost host)
{
    private static readonly Lazy<string?> AxeScript = new(FindAxe);

    private IModelRegistry Registry => host.Services.GetRequiredService<IModelRegistry>();

    [Fact]
    public async Task EveryPage_At390Pixels_HasNoHorizontalScroll_AndAxeFindsNoSeriousViolation()
    {
        var axe = AxeScript.Value;
        if (axe is null)
        {
            const string reason = "axe-core is not installed (bash scripts/install-npm-tools.sh, or set RECSYS_AXE_CORE to axe.min.js)";
            if (Environment.GetEnvironmentVariable("RECSYS_REQUIRE_SERVICES") == "1")
            {
                throw new InvalidOperationException($"RECSYS_REQUIRE_SERVICES=1 but {reason}.");
            }

            Assert.Skip(reason + ".");
        }

        var pages = await PagesAsync();
        var page = await host.NewPageAsync(bypassCsp: true);
        var problems = new List<string>();
        foreach (var signedIn in new[] { false, true })
        {
            if (signedIn)
            {
                await DashboardHost.SignInAsync(page, "tester");
                pages.Add($"/dashboard/models/{DashboardHost.Model}/confirm?action=promote&version={(await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None)).First(v => v.Stage != ModelStage.Production).Version}");
                pages.Add("/dashboard/runs/confirm");
            }

            foreach (var path in pages)
            {
                foreach (var width in new[] { 390, 1400 })
                {
                    await page.SetViewportSizeAsync(width, 900);
                    var response = await page.GotoAsync(path);
                    var label = $"{path} ({(signedIn ? "signed in" : "anonymous")}, {width} px)";
                    Assert.True(response is not null && (response.Ok || response.Status == 404), $"{label}: {response?.Status}");
                    var size = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
                    var (scroll, client) = (size[0], size[1]);
                    if (scroll > client)
                    {
                        problems.Add($"{label}: the page is {scroll} px wide in a {client} px window; widest: {await WidestAsync(page, client)}");
                    }

                    await page.AddScriptTagAsync(new() { Content = axe });
                    var result = await page.EvaluateAsync<JsonElement>("async () => (await axe.run(document, { resultTypes: ['violations'] })).violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ' (' + v.impact + '): ' + v.nodes.length + ' node(s), first ' + v.nodes[0].target.join(' ') + ': ' + (v.nodes[0].failureSummary || '').replace(/\\s+/g, ' '))");
                    problems.AddRange(result.EnumerateArray().Select(v => $"{label}: {v.GetString()}"));
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task MetricCharts_DrawOneLinePerAlgorithm_FromZero_WithLabelledAxes()
    {
        var versions = await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None);
        var withNdcg = versions.Where(v => v.Metrics.ContainsKey("ndcg_at_k")).ToList();
        var trainers = withNdcg.Select(v => v.Trainer).Distinct().ToList();
        Assert.True(trainers.Count >= 2, $"the fixture registers versions of two algorithms; {string.Join(", ", trainers)}");
        var page = await host.NewPageAsync();
        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}");

        var chart = page.Locator("figure.chart[data-metric='ndcg_at_k']");
        await Expect(chart.Locator("g.series")).ToHaveCountAsync(trainers.Count);
        foreach (var trainer in trainers)
        {
            var series = chart.Locator($"g.series[data-trainer='{trainer}']");
            var count = withNdcg.Count(v => v.Trainer == trainer);
            await Expect(series.Locator("circle")).ToHaveCountAsync(count);
            await Expect(series.Locator("polyline")).ToHaveCountAsync(count > 1 ? 1 : 0);
            await Expect(chart.Locator(".legend")).ToContainTextAsync(trainer);
        }

        await Expect(chart.Locator("text.y-tick").First).ToHaveTextAsync("0");
        await Expect(chart.Locator("text.x-title")).ToHaveTextAsync("version");
        await Expect(chart.Locator("text.y-title")).ToHaveTextAsync("ndcg_at_k");
        await Expect(page.Locator("figure.chart[data-metric='test_size']")).ToHaveCountAsync(0);

        // The Production label lies inside the drawing (it was clipped when Production was the newest version).
        var inside = await chart.Locator("text.label").EvaluateAsync<bool>("t => { const s = t.ownerSVGElement.viewBox.baseVal, b = t.getBBox(); return b.x >= 0 && b.y >= 0 && b.x + b.width <= s.width && b.y + b.height <= s.height; }");
        Assert.True(inside, "the Production label is outside the chart");
    }

    [Fact]
    public async Task VersionRows_ShowTheParameterValuesTheyWereTrainedWith()
    {
        var versions = await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None);
        var als = versions.First(v => v.Trainer == "als-implicit");
        var page = await host.NewPageAsync();
        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}");

        var defaults = new Recsys.Factorization.ImplicitAlsOptions();
        var cell = page.Locator($"#versions tr[data-version='{als.Version}'] td.params");
        await Expect(cell).ToContainTextAsync($"rank={defaults.Rank}");
        await Expect(cell).ToContainTextAsync($"epochs={defaults.Iterations}");
        await Expect(cell).ToContainTextAsync("alpha=");
        await Expect(cell).Not.ToContainTextAsync("none recorded");
    }

    [Fact]
    public async Task RunTimeline_StepNamesFitInsideTheDrawing()
    {
        var run = (await host.Services.GetRequiredService<IRunStore>().ListRunsAsync(DashboardHost.Model, 50, CancellationToken.None)).First(r => r.Trigger == "test");
        var page = await host.NewPageAsync();
        await page.GotoAsync($"/dashboard/runs/{run.Id}");
        var outside = await page.Locator("svg.timeline").EvaluateAsync<string[]>("s => [...s.querySelectorAll('text.name')].filter(t => t.getBBox().x < 0).map(t => t.textContent)");
        Assert.Empty(outside);
    }

    private async Task<List<string>> PagesAsync()
    {
        var versions = (await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None)).OrderBy(v => v.Version).ToList();
        var run = (await host.Services.GetRequiredService<IRunStore>().ListRunsAsync(DashboardHost.Model, 50, CancellationToken.None)).First();
        return
        [
            "/dashboard",
            $"/dashboard/models/{DashboardHost.Model}",
            $"/dashboard/models/{DashboardHost.Model}/compare?a={versions[0].Version}&b={versions[^1].Version}",
            "/dashboard/runs",
            $"/dashboard/runs/{run.Id}",
            "/dashboard/audit",
            "/dashboard/live",
            "/dashboard/signin",
            "/dashboard/runs/no-such-run",
        ];
    }

    // The element that sticks out furthest, to name in a failure.
    private static Task<string> WidestAsync(IPage page, int client) =>
        page.EvaluateAsync<string>($"() => {{ let w = null; for (const e of document.querySelectorAll('body *')) {{ const r = e.getBoundingClientRect(); if (r.right > {client} && (!w || r.right > w.r)) w = {{ r: r.right, d: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') }}; }} return w ? w.d + ' to ' + Math.round(w.r) + ' px' : 'none'; }}");

    private static string? FindAxe()
    {
        if (Environment.GetEnvironmentVariable("RECSYS_AXE_CORE") is { Length: > 0 } configured)
        {
            return File.ReadAllText(configured);
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, ".tools", "npm", "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(candidate))
            {
                return File.ReadAllText(candidate);
            }
        }

        Debug.WriteLine("axe-core not found above " + AppContext.BaseDirectory);
        return null;
    }
}
