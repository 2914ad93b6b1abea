namespace DepMap.Server.BrowserTests.Features.Page;

/// <summary>A small system the live tests add traffic to.</summary>
public sealed class LiveFixture : BrowserFixture
{
    public static DateTimeOffset Recent => DateTimeOffset.UtcNow.AddMinutes(-2);

    protected override Task SeedAsync(HttpClient http) => Traffic.SendAsync(http,
        new Calls("gateway", "orders", 20, Recent, Failing: 1),
        new Calls("orders", "stock", 15, Recent),
        new Calls("gateway", "users", 10, Recent));
}

// One test: they add traffic to one shared server, and the order of what they see matters.
public sealed class LiveRefreshTests(LiveFixture fixture) : IClassFixture<LiveFixture>
{
    [Fact]
    public async Task Refresh_KeepsPositionsWhenOnlyNumbersChange_AndRelaysOutWhenAnEdgeAppears()
    {
        var page = await fixture.OpenAsync();
        // A change of the view first: the page's own reloads must not hide the next aggregation from it.
        await page.ChangedAsync(() => page.TimeBar.MinCallsAsync(1));
        var before = await page.Graph.NodeBoxesAsync();
        var labelBefore = await page.Graph.EdgeLabelAsync("gateway", "orders");
        Assert.Equal(["20 calls", "5.0% errors"], labelBefore.Take(2));

        // Same edges, more calls: the server's /events tells the page, which redraws in place.
        await page.ChangedAsync(() => Traffic.SendAsync(fixture.Http, new Calls("gateway", "orders", 180, LiveFixture.Recent.AddSeconds(5), Failing: 30)));

        Assert.False(await page.Graph.LastRenderRelaidAsync());
        Assert.Equal(["200 calls", "15.5% errors"], (await page.Graph.EdgeLabelAsync("gateway", "orders")).Take(2));
        Assert.Equal(before, await page.Graph.NodeBoxesAsync());

        // A new edge: laid out again, and the newcomer is highlighted.
        await page.ChangedAsync(() => Traffic.SendAsync(fixture.Http, new Calls("orders", "payments", 7, LiveFixture.Recent.AddSeconds(6))));

        Assert.True(await page.Graph.LastRenderRelaidAsync());
        Assert.Contains("payments", await page.Graph.NodeNamesAsync());
        Assert.True(await page.Graph.EdgeHighlightedAsync("orders", "payments"));

        // Paused: new data is announced, not drawn.
        await page.TimeBar.PauseAsync();
        // A load the last event started before the pause may still be drawing: count from after it.
        await page.Page.WaitForFunctionAsync("() => !window.depmap.loading", null, new() { Timeout = 30_000 });
        var renders = await page.Graph.RendersAsync();
        await Traffic.SendAsync(fixture.Http, new Calls("orders", "audit", 3, LiveFixture.Recent.AddSeconds(7)));
        await page.Page.WaitForFunctionAsync("() => document.getElementById('status').textContent.includes('paused')", null, new() { Timeout = 30_000 });
        Assert.Equal(renders, await page.Graph.RendersAsync());
        Assert.DoesNotContain("audit", await page.Graph.NodeNamesAsync());
    }
}
