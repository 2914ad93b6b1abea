using Microsoft.Playwright;

namespace DepMap.Server.BrowserTests;

/// <summary>
/// One server and one browser for a test class: Debian's Chromium (never a downloaded one),
/// headless, driven by Playwright; each test opens its own page. <see cref="SeedAsync"/> sends the
/// class's traffic before any test runs.
/// </summary>
public abstract class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public PageServer Server { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: scripts/test.sh installs it (apt-get install chromium)");
        }
        Http = Server.Http();
        await SeedAsync(Http);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
    }

    protected abstract Task SeedAsync(HttpClient http);

    /// <summary>A new page at <c>/?query</c>, once its graph is drawn.</summary>
    public async Task<DepMapPage> OpenAsync(string query = "")
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var depMap = new DepMapPage(page);
        await page.GotoAsync(new Uri(Server.Address, "/?" + query).ToString());
        await depMap.Graph.WaitForRendersAsync(1);
        return depMap;
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright?.Dispose();
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
