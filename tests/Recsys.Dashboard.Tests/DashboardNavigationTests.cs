using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Recsys.Registry;
using static Microsoft.Playwright.Assertions;

namespace Recsys.Dashboard.Tests;

/// <summary>How an operator moves between versions, runs and the audit, and what the dashboard says after an action.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class DashboardNavigationTests(DashboardHost host)
{
    private IModelRegistry Registry => host.Services.GetRequiredService<IModelRegistry>();

    [Fact]
    public async Task VersionRow_LinksToTheRunThatProducedIt_AndTheAuditLinksRunActorsToTheirRuns()
    {
        var version = (await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None)).First(v => v.Tags.ContainsKey("run_id"));
        var page = await host.NewPageAsync();
        var favicons = 0;
        page.Request += (_, request) => favicons += request.Url.Contains("favicon", StringComparison.Ordinal) ? 1 : 0;

        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}");
        await page.Locator($"#versions tr[data-version='{version.Version}']").GetByRole(AriaRole.Link, new() { Name = "its run" }).ClickAsync();
        await Expect(page.Locator("h1")).ToContainTextAsync(version.Tags["run_id"]);

        await page.GotoAsync($"/dashboard/audit?model={DashboardHost.Model}");
        var runActor = page.Locator("#audit td.actor a").First;
        var actor = await runActor.TextContentAsync();
        await runActor.ClickAsync();

        Assert.StartsWith("run ", actor, StringComparison.Ordinal);
        await Expect(page.Locator("h1")).ToContainTextAsync(actor![4..]);
        Assert.Equal(0, favicons); // the pages name no favicon to fetch (it used to 404 on every page)
    }

    [Fact]
    public async Task AuditFilteredByPromotionDecided_ListsTheRunsDecisions()
    {
        var decided = (await Registry.GetHistoryAsync(DashboardHost.Model, CancellationToken.None)).Where(c => c.Kind == RegistryChangeKind.PromotionDecided).ToList();
        Assert.NotEmpty(decided);
        var page = await host.NewPageAsync();
        await page.GotoAsync("/dashboard/audit");
        await page.Locator("select[name='kind']").SelectOptionAsync("PromotionDecided");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        var rows = page.Locator("#audit tbody tr[data-kind='PromotionDecided']");
        await Expect(rows).ToHaveCountAsync(decided.Count);
        await Expect(page.Locator("#audit tbody tr")).ToHaveCountAsync(decided.Count);
        await Expect(rows.First.Locator("td.actor a")).ToHaveTextAsync(decided[^1].Actor);
        await Expect(rows.First).ToContainTextAsync(decided[^1].Reason!);
    }

    [Fact]
    public async Task LongVersionListsAndHistories_ArePaged_KeepingTheFilters()
    {
        // A model of its own with more versions than a page holds, and more alias changes than an audit page.
        const string model = "paged";
        var versions = 30;
        for (var v = 1; v <= versions; v++)
        {
            await Registry.RegisterVersionAsync(model, new NewModelVersion { Trainer = "popularity", Actor = "pager" }, new byte[] { (byte)v }, CancellationToken.None);
        }

        for (var i = 0; i < 110; i++)
        {
            await Registry.SetAliasAsync(model, "latest", (i % versions) + 1, "pager", $"move {i}", CancellationToken.None);
        }

        var page = await host.NewPageAsync();
        await page.GotoAsync($"/dashboard/models/{model}");
        await Expect(page.Locator("#versions tbody tr")).ToHaveCountAsync(25);
        await Expect(page.Locator("#versions tbody tr").First).ToHaveAttributeAsync("data-version", $"{versions}");
        await Expect(page.Locator("nav.pager")).ToContainTextAsync("Page 1 of 2 (30 versions)");
        await page.GetByRole(AriaRole.Link, new() { Name = "Older →" }).ClickAsync();
        await Expect(page.Locator("#versions tbody tr")).ToHaveCountAsync(5);
        await Expect(page.Locator("#versions tbody tr").Last).ToHaveAttributeAsync("data-version", "1");
        await Expect(page.Locator("figure.chart")).ToHaveCountAsync(0); // these versions have no metrics

        await page.GotoAsync($"/dashboard/audit?model={model}&kind=AliasSet");
        await Expect(page.Locator("#audit tbody tr")).ToHaveCountAsync(100);
        await Expect(page.Locator("#audit tbody tr").First).ToContainTextAsync("move 109");
        await page.GetByRole(AriaRole.Link, new() { Name = "Older →" }).ClickAsync();
        await Expect(page.Locator("#audit tbody tr")).ToHaveCountAsync(10);
        await Expect(page.Locator("#audit tbody tr").Last).ToContainTextAsync("move 0");
        Assert.Contains("kind=AliasSet", page.Url, StringComparison.Ordinal);
        Assert.Contains($"model={model}", page.Url, StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Link, new() { Name = "← Newer" }).ClickAsync();
        await Expect(page.Locator("#audit tbody tr")).ToHaveCountAsync(100);
    }

    [Fact]
    public async Task AfterAnAction_TheModelPageSaysWhatWasDone()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync($"/dashboard/signin?return=/dashboard/models/{DashboardHost.Model}");
        await page.GetByLabel("Your name").FillAsync("erin");
        await page.GetByLabel("Admin key").FillAsync(DashboardHost.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var version = (await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None)).First().Version;

        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}/confirm?action=set-alias&version={version}&alias=notice-test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm as erin" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync($"Done: the alias 'notice-test' points at v{version}.");

        await page.GetByRole(AriaRole.Link, new() { Name = "Remove notice-test…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm as erin" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync("Done: the alias 'notice-test' was removed.");
        Assert.Null(await Registry.GetByAliasAsync(DashboardHost.Model, "notice-test", CancellationToken.None));

        // The message comes from the action's code, never from the query's text.
        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}?done=<b>pwned</b>&version=1");
        await Expect(page.Locator("#notice")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Compare_VersionsMeasuredOnDifferentHoldouts_SaysSo_AndTheHoldoutSizeIsNotCharted()
    {
        var versions = (await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None)).OrderBy(v => v.Version).ToList();
        var (first, last) = (versions[0], versions[^1]); // the first run's random split, the second run's newer interactions
        Assert.NotEqual(first.Lineage!.Evaluation!.Split, last.Lineage!.Evaluation!.Split);
        var page = await host.NewPageAsync();

        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}/compare?a={first.Version}&b={last.Version}");
        await Expect(page.Locator("#split-warning")).ToContainTextAsync($"v{first.Version} and v{last.Version} were measured on different holdouts");
        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}/compare?a={first.Version}&b={first.Version}");
        await Expect(page.Locator("#split-warning")).ToHaveCountAsync(0);
        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}");
        await Expect(page.Locator("figure.chart[data-metric='test_size']")).ToHaveCountAsync(0);
    }
}
