using Microsoft.Playwright;

namespace DepMap.Server.BrowserTests;

/// <summary>The bar above the graph: time range, focus, minCalls, grouping, search, live.</summary>
public sealed class TimeBar(IPage page)
{
    public Task PresetAsync(string lookback) => page.ClickAsync($"[data-lookback='{lookback}']");

    public async Task FocusAsync(string service, int depth, string direction)
    {
        await page.FillAsync("#focus", service);
        await page.DispatchEventAsync("#focus", "change");
        await page.FillAsync("#depth", depth.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.DispatchEventAsync("#depth", "change");
        await page.SelectOptionAsync("#direction", direction);
    }

    public async Task MinCallsAsync(long calls)
    {
        await page.FillAsync("#min-calls", calls.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.DispatchEventAsync("#min-calls", "change");
    }

    public Task GroupByNamespaceAsync() => page.CheckAsync("#group");

    public Task SearchAsync(string text) => page.FillAsync("#search", text);

    public Task PauseAsync() => page.UncheckAsync("#live");

    public Task<string> StatusAsync() => page.InnerTextAsync("#status");

    public Task<string> FocusValueAsync() => page.InputValueAsync("#focus");
}
