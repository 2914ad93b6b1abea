using Microsoft.Playwright;

namespace DepMap.Server.BrowserTests;

/// <summary>The details panel of the selected node or edge.</summary>
public sealed class DetailsPanel(IPage page)
{
    /// <summary>Waits until the panel shows <paramref name="title"/> (a node name, or "a → b").</summary>
    public Task WaitForAsync(string title) => page.Locator("#details [data-field='name']").Filter(new() { HasTextString = title }).WaitForAsync(new() { Timeout = 15_000 });

    public Task<string> FieldAsync(string field) => page.Locator($"#details dd[data-field='{field}']").First.InnerTextAsync();

    public Task<string> TitleAsync() => page.Locator("#details [data-field='name']").InnerTextAsync();

    /// <summary>Each exemplar trace: its id and the link's href (null when shown without a link).</summary>
    public async Task<(string TraceId, string? Href)[]> TraceLinksAsync()
    {
        var items = page.Locator("#details [data-trace]");
        var result = new List<(string, string?)>();
        for (var i = 0; i < await items.CountAsync(); i++)
        {
            result.Add(((await items.Nth(i).GetAttributeAsync("data-trace"))!, await items.Nth(i).GetAttributeAsync("href")));
        }
        return [.. result];
    }

    /// <summary>The conformance findings shown for the selection: each one's rule and its text.</summary>
    public async Task<(string Rule, string Text)[]> ConformanceFindingsAsync()
    {
        await page.Locator("#details .conformance-findings").WaitForAsync(new() { Timeout = 15_000 });
        var rows = await page.EvalOnSelectorAllAsync<string[][]>("#details .conformance-findings li", "els => els.map(e => [e.dataset.rule, e.textContent])");
        return [.. rows.Select(r => (r[0], r[1]))];
    }

    public Task WaitForChartAsync() => page.Locator("#details .chart .uplot").First.WaitForAsync(new() { Timeout = 15_000 });
}
