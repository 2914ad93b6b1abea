using Microsoft.Playwright;

namespace DepMap.Server.BrowserTests;

/// <summary>The conformance toggle in the bar and its legend above the graph.</summary>
public sealed class ConformancePanel(IPage page)
{
    private const string Toggle = "#conformance";

    public Task CheckAsync() => page.CheckAsync(Toggle);

    public Task UncheckAsync() => page.UncheckAsync(Toggle);

    /// <summary>Clicks the toggle whatever its state (a disabled one is clicked all the same, to show nothing happens).</summary>
    public Task ClickAsync() => page.Locator(Toggle).ClickAsync(new LocatorClickOptions { Force = true });

    public Task<bool> IsCheckedAsync() => page.IsCheckedAsync(Toggle);

    public Task<bool> IsDisabledAsync() => page.IsDisabledAsync(Toggle);

    public async Task<string> TitleAsync() => await page.GetAttributeAsync(Toggle, "title") ?? "";

    public Task<bool> LegendVisibleAsync() => page.IsVisibleAsync("#conformance-legend");

    public Task<string> LegendTextAsync() => page.InnerTextAsync("#conformance-legend");

    /// <summary>The legend's count of each finding, by the report's name for it (undeclaredEdges, unusedEdges, …).</summary>
    public async Task<Dictionary<string, int>> CountsAsync()
    {
        var rows = await page.EvalOnSelectorAllAsync<string[][]>("#conformance-legend li[data-finding]",
            "els => els.map(e => [e.dataset.finding, e.querySelector('[data-count]').textContent])");
        return rows.ToDictionary(r => r[0], r => int.Parse(r[1], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture));
    }
}
