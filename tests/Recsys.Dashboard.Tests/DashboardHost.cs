using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Recsys.AspNetCore;
using Recsys.Data;
using Recsys.Retraining;
using Recsys.Serving;

namespace Recsys.Dashboard.Tests;

/// <summary>
/// A real host on loopback (Kestrel) with a real SQLite registry, the recommender API and the dashboard, whose
/// versions and runs come from two real retraining runs on synthetic data; and Debian's Chromium driven by
/// Playwright (its own browser download is impossible here). Without Chromium the tests are skipped with the reason,
/// unless RECSYS_REQUIRE_SERVICES=1 (CI), where they fail.
/// </summary>
public sealed class DashboardHost : IAsyncLifetime
{
    public const string AdminKey = "dashboard-test-key";
    public const string Model = "movies";
    private static readonly string ChromiumPath = Environment.GetEnvironmentVariable("RECSYS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"recsys-dashboard-{Guid.NewGuid():N}");
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private IBrowserContext? _browser;

    public string BaseUrl { get; private set; } = string.Empty;

    public IServiceProvider Services => _app!.Services;

    public HttpClient Http { get; } = new();

    public string? Problem { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.AddRecommender(options => options.ModelName = Model).UseSqlite(_directory);
        builder.Services.Configure<RecommenderHttpOptions>(options => options.AdminApiKey = AdminKey);
        var synthetic = new SyntheticDataOptions { Users = 300, Items = 400, Interactions = 12_000 };
        builder.Services.AddSingleton(sp => InteractionSources.Store(sp.GetRequiredService<IInteractionStore>(), InteractionSources.Synthetic(synthetic)));
        builder.Services.AddRetraining(options =>
        {
            options.ModelName = Model;
            options.Split = "random:0.2";
            options.Candidates.Add(new CandidateOptions { Algorithm = "als-implicit" });
            options.Candidates.Add(new CandidateOptions { Algorithm = "truncated-svd" });
        });
        _app = builder.Build();
        _app.MapRecommender();
        _app.MapRetraining();
        _app.MapRecommenderDashboard("/dashboard");
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Http.BaseAddress = new Uri(BaseUrl);

        // Two runs: the first promotes its best candidate; then users rate more, and the second records more versions
        // (and a decision against Production on the newer ratings).
        var retraining = _app.Services.GetRequiredService<RetrainingService>();
        await retraining.RunAsync("test", CancellationToken.None);
        var data = new SyntheticDataGenerator(synthetic).GenerateDataset();
        var newest = data.RowTimestamps.ToArray().Max();
        await _app.Services.GetRequiredService<IInteractionStore>().AppendAsync(
            [.. Enumerable.Range(0, 200).Select(k => new Interaction(data.Users[k % 50], data.Items[(k * 7) % data.Items.Count], 4f, newest + 1 + k))],
            CancellationToken.None);
        await retraining.RunAsync("test", CancellationToken.None);
        await _app.Services.GetRequiredService<IRecommendationService>().ReloadAsync();

        if (!File.Exists(ChromiumPath))
        {
            Problem = $"Chromium is not installed at {ChromiumPath} (apt-get install -y chromium, or set RECSYS_CHROMIUM)";
            return;
        }

        _playwright = await Playwright.CreateAsync();
    }

    /// <summary>A fresh browser (its own new user-data directory, so no cookie or storage is shared) on a new page.</summary>
    /// <param name="bypassCsp">Lets a test inject a script (axe-core) past the dashboard's Content-Security-Policy.</param>
    public async Task<IPage> NewPageAsync(bool bypassCsp = false)
    {
        if (Problem is not null)
        {
            if (Environment.GetEnvironmentVariable("RECSYS_REQUIRE_SERVICES") == "1")
            {
                throw new InvalidOperationException($"RECSYS_REQUIRE_SERVICES=1 but {Problem}.");
            }

            Assert.Skip($"{Problem}.");
        }

        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        var profile = Path.Combine(_directory, "chromium-" + Guid.NewGuid().ToString("N"));
        _browser = await _playwright!.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
            BaseURL = BaseUrl,
            BypassCSP = bypassCsp,
        });
        _browser.SetDefaultTimeout(15_000);
        return _browser.Pages.Count > 0 ? _browser.Pages[0] : await _browser.NewPageAsync();
    }

    /// <summary>Signs the page's browser in with the admin key as <paramref name="name"/>.</summary>
    public static async Task SignInAsync(IPage page, string name)
    {
        await page.GotoAsync("/dashboard/signin");
        await page.GetByLabel("Your name").FillAsync(name);
        await page.GetByLabel("Admin key").FillAsync(AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#session")).ToContainTextAsync($"Signed in as {name}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException e)
        {
            Debug.WriteLine($"Could not delete {_directory}: {e.Message}");
        }
    }
}
