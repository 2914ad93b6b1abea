using Microsoft.Playwright;

namespace DepMap.Server.BrowserTests;

/// <summary>The snapshots list and its diff view.</summary>
public sealed class SnapshotsPanel(IPage page)
{
    public Task WaitForSnapshotAsync(long id) => page.Locator($"#snapshots li[data-snapshot='{id}']").WaitForAsync(new() { Timeout = 15_000 });

    public Task DiffAsync(long head, long @base) =>
        page.SelectOptionAsync($"#snapshots select[data-head='{head}']", @base.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task<string[]> AddedEdgesAsync()
    {
        await page.Locator("#snapshots .diff-added li").First.WaitForAsync(new() { Timeout = 15_000 });
        return [.. await page.Locator("#snapshots .diff-added li").AllInnerTextsAsync()];
    }

    public Task<string?> PictureAsync() => page.Locator("#snapshots .diff img").GetAttributeAsync("src");
}
