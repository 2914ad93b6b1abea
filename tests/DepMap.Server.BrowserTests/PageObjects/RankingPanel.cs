using Microsoft.Playwright;

namespace DepMap.Server.BrowserTests;

/// <summary>The ranking table beside the graph.</summary>
public sealed class RankingPanel(IPage page)
{
    public async Task<string[]> ServicesAsync() =>
        await page.EvalOnSelectorAllAsync<string[]>("#ranking tbody tr[data-service]", "rows => rows.map(r => r.dataset.service)");

    public Task ClickAsync(string service) =>
        page.Locator("#ranking tbody tr[data-service]").Filter(new() { Has = page.Locator("td.name", new() { HasTextString = service }) }).First.ClickAsync();
}
