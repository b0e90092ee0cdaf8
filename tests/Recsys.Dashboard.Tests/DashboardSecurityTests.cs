using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Recsys.Registry;
using Recsys.Runs;
using static Microsoft.Playwright.Assertions;

namespace Recsys.Dashboard.Tests;

/// <summary>What the dashboard shows anonymous readers, how a session ends, and what it refuses: stale, oversized or malformed forms.</summary>
[Collection(nameof(DashboardCollection))]
public sealed partial class DashboardSecurityTests(DashboardHost host)
{
    private IModelRegistry Registry => host.Services.GetRequiredService<IModelRegistry>();

    [Fact]
    public async Task RunPage_Anonymous_ShowsNoHostOrProcess_ASignedInOperatorSeesTheWorker()
    {
        var run = (await host.Services.GetRequiredService<IRunStore>().ListRunsAsync(DashboardHost.Model, 50, CancellationToken.None)).First(r => r.Trigger == "test");
        var page = await host.NewPageAsync();

        await page.GotoAsync($"/dashboard/runs/{run.Id}");
        var anonymous = await page.ContentAsync();
        await DashboardHost.SignInAsync(page, "auditor");
        await page.GotoAsync($"/dashboard/runs/{run.Id}");
        var signedIn = await page.ContentAsync();

        Assert.Contains("/", run.Owner, StringComparison.Ordinal); // host/pid
        Assert.DoesNotContain(run.Owner, anonymous, StringComparison.Ordinal);
        Assert.Contains("(sign in to see the worker's host and process)", anonymous, StringComparison.Ordinal);
        Assert.Contains(run.Owner, signedIn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_RevokesTheSession_ACopiedCookieAndTokenAreRefusedAfterwards()
    {
        var page = await host.NewPageAsync();
        await DashboardHost.SignInAsync(page, "carol");
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "recsys_dashboard");
        var version = (await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None)).First(v => v.Stage != ModelStage.Production).Version;
        var confirm = $"/dashboard/models/{DashboardHost.Model}/confirm?action=set-alias&version={version}&alias=replayed";
        using var client = NewClient();
        var (csrf, expected) = await FormTokensAsync(client, confirm, cookie.Value);

        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.Locator("#session")).ToContainTextAsync("Read-only");
        using var replayed = await PostAsync(client, $"/dashboard/models/{DashboardHost.Model}/actions", cookie.Value, new()
        {
            ["action"] = "set-alias",
            ["version"] = $"{version}",
            ["alias"] = "replayed",
            ["csrf"] = csrf,
            ["expected"] = expected,
        });
        using var confirmAgain = await GetAsync(client, confirm, cookie.Value);

        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Null(await Registry.GetByAliasAsync(DashboardHost.Model, "replayed", CancellationToken.None));
        Assert.DoesNotContain("Confirm as carol", await confirmAgain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaleConfirmation_TheModelChangedSince_Is409ShowingTheCurrentState_AndChangesNothing()
    {
        var page = await host.NewPageAsync();
        await DashboardHost.SignInAsync(page, "dave");
        var versions = await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None);
        var candidate = versions.Where(v => v.Stage != ModelStage.Production).MaxBy(v => v.Version)!;
        await page.GotoAsync($"/dashboard/models/{DashboardHost.Model}/confirm?action=promote&version={candidate.Version}");
        await Expect(page.Locator("#confirm-form")).ToHaveCountAsync(1);

        // Another tab (here: the registry directly) changes the model after the page was opened.
        var other = versions.First(v => v.Version != candidate.Version);
        await Registry.SetAliasAsync(DashboardHost.Model, "stale-test", other.Version, "test", "another tab", CancellationToken.None);
        try
        {
            var response = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Confirm as dave" }).ClickAsync(), r => r.Url.EndsWith("/actions", StringComparison.Ordinal));

            Assert.Equal(409, response.Status);
            await Expect(page.Locator("h1")).ToHaveTextAsync("The model changed since this confirmation was opened");
            await Expect(page.Locator("#current-state")).ToContainTextAsync($"v{other.Version}: {other.Stage}, aliases stale-test");
            Assert.Equal(candidate.Stage, (await Registry.GetVersionAsync(DashboardHost.Model, candidate.Version, CancellationToken.None)).Stage);
        }
        finally
        {
            await Registry.DeleteAliasAsync(DashboardHost.Model, "stale-test", "test", "clean-up", CancellationToken.None);
        }
    }

    [Fact]
    public async Task OversizedForms_SignInAndActions_Are413_NotAServerError()
    {
        using var client = NewClient();
        var cookie = await SignInOverHttpAsync(client);
        var tenMegabytes = new Dictionary<string, string> { ["actor"] = "x", ["key"] = new string('k', 10 * 1024 * 1024) };
        var manyFields = Enumerable.Range(0, 5_000).ToDictionary(k => $"f{k}", _ => "1");
        var fewButTooMany = Enumerable.Range(0, 100).ToDictionary(k => $"f{k}", _ => "1"); // under the byte limit, over the field count

        foreach (var form in new[] { tenMegabytes, manyFields, fewButTooMany })
        {
            using var signIn = await PostAsync(client, "/dashboard/signin", null, form);
            using var action = await PostAsync(client, $"/dashboard/models/{DashboardHost.Model}/actions", cookie, form);

            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, signIn.StatusCode);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, action.StatusCode);
            Assert.Contains("Form too large", await action.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SetAlias_NotAnIdentifier_Is400NamingTheRule_AndNoAliasIsSet()
    {
        using var client = NewClient();
        var cookie = await SignInOverHttpAsync(client);
        var version = (await Registry.ListVersionsAsync(DashboardHost.Model, CancellationToken.None)).First().Version;
        var (csrf, expected) = await FormTokensAsync(client, $"/dashboard/models/{DashboardHost.Model}/confirm?action=set-alias&version={version}&alias=x", cookie);

        using var response = await PostAsync(client, $"/dashboard/models/{DashboardHost.Model}/actions", cookie, new()
        {
            ["action"] = "set-alias",
            ["version"] = $"{version}",
            ["alias"] = "bad alias/<x>",
            ["csrf"] = csrf,
            ["expected"] = expected,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not an alias name: use 1 to 64 letters, digits", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.DoesNotContain("bad alias/<x>", (await Registry.GetVersionAsync(DashboardHost.Model, version, CancellationToken.None)).Aliases);
    }

    /// <summary>A client that keeps no cookies of its own and follows no redirects: each request says its session.</summary>
    private HttpClient NewClient() => new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(host.BaseUrl) };

    private static async Task<string> SignInOverHttpAsync(HttpClient client)
    {
        using var response = await PostAsync(client, "/dashboard/signin", null, new() { ["actor"] = "http-test", ["key"] = DashboardHost.AdminKey });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var set = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("recsys_dashboard=", StringComparison.Ordinal));
        return set["recsys_dashboard=".Length..set.IndexOf(';', StringComparison.Ordinal)];
    }

    private static async Task<(string Csrf, string Expected)> FormTokensAsync(HttpClient client, string confirm, string cookie)
    {
        using var response = await GetAsync(client, confirm, cookie);
        var html = await response.Content.ReadAsStringAsync();
        string Value(string name) => WebUtility.HtmlDecode(Regex.Match(html, $"name=\"{name}\" value=\"([^\"]*)\"").Groups[1].Value);
        Assert.True(Value("csrf").Length > 0, html);
        return (Value("csrf"), Value("expected"));
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, string url, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", $"recsys_dashboard={cookie}");
        return client.SendAsync(request);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string? cookie, Dictionary<string, string> form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", $"recsys_dashboard={cookie}");
        }

        return client.SendAsync(request);
    }
}
