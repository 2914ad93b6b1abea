using System.Globalization;
using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;

namespace DepMap.Server.BrowserTests.Features.Page;

/// <summary>
/// A shop in the last minutes (user → web → cart → ledger, web → search rarely, a hostile name
/// calling web), and an archive service called three hours ago, aggregated by the real server.
/// </summary>
public sealed class ShopFixture : BrowserFixture
{
    public const string Hostile = "<script>window.__pwned=1</script>\"'</svg><img src=x onerror=\"window.__pwned=2\">";

    protected override async Task SeedAsync(HttpClient http)
    {
        var recent = DateTimeOffset.UtcNow.AddMinutes(-5);
        await Traffic.SendAsync(http,
            new Calls("web", "cart", 40, recent, Failing: 2, CallerNamespace: "shop", CalleeNamespace: "shop"),
            new Calls("cart", "ledger", 30, recent, Failing: 3, DurationMs: 35, CallerNamespace: "shop", CalleeNamespace: "money"),
            new Calls("web", "search", 3, recent, CallerNamespace: "shop"),
            new Calls(Hostile, "web", 5, recent, CalleeNamespace: "shop"),
            new Calls("web", "archive", 5, DateTimeOffset.UtcNow.AddHours(-3), CallerNamespace: "shop"));
    }
}

public sealed class GraphPageTests(ShopFixture fixture) : IClassFixture<ShopFixture>
{
    private static string[] Names(JsonObject graph) => [.. graph["nodes"]!.AsArray().Select(n => (string)n!["name"]!).Order(StringComparer.Ordinal)];

    private static string[] Sorted(IEnumerable<string> names) => [.. names.Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Page_NamesEveryService_WhenOpened()
    {
        var page = await fixture.OpenAsync();

        var expected = Names(await Traffic.GraphAsync(fixture.Http, "lookback=1h"));
        Assert.Contains("ledger", expected);
        Assert.Equal(expected, Sorted(await page.Graph.NodeTextsAsync()));
        Assert.Equal("drawn", await page.Graph.StateAsync());
    }

    [Fact]
    public async Task TimeRange_ChangesWhatIsDrawn_WhenAPresetIsChosen()
    {
        var page = await fixture.OpenAsync("lookback=15m");
        Assert.DoesNotContain("archive", await page.Graph.NodeNamesAsync());

        await page.ChangedAsync(() => page.TimeBar.PresetAsync("6h"));

        Assert.Contains("archive", await page.Graph.NodeNamesAsync());
        Assert.Contains("lookback=6h", page.Page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Focus_DrawsTheServicesAroundIt_WhenFocusedWithDepthAndDirection()
    {
        var page = await fixture.OpenAsync();

        await page.ChangedAsync(() => page.TimeBar.FocusAsync("ledger", 2, "upstream"));

        var expected = Names(await Traffic.GraphAsync(fixture.Http, "lookback=1h&focus=ledger&depth=2&direction=upstream"));
        Assert.Subset(new HashSet<string>(expected), new HashSet<string> { "cart", "ledger", "web" });
        Assert.DoesNotContain("search", expected);
        Assert.Equal(expected, Sorted(await page.Graph.NodeNamesAsync()));

        // The URL holds the view: opening it again draws the same.
        var again = await fixture.OpenAsync(new Uri(page.Page.Url).Query.TrimStart('?'));
        Assert.Equal("ledger", await again.TimeBar.FocusValueAsync());
        Assert.Equal(expected, Sorted(await again.Graph.NodeNamesAsync()));
    }

    [Fact]
    public async Task MinCalls_HidesQuieterEdges_WhenRaised()
    {
        var page = await fixture.OpenAsync();
        Assert.Contains("web -> search", await page.Graph.EdgeNamesAsync());

        await page.ChangedAsync(() => page.TimeBar.MinCallsAsync(10));

        Assert.DoesNotContain("web -> search", await page.Graph.EdgeNamesAsync());
        Assert.DoesNotContain("search", await page.Graph.NodeNamesAsync());
        Assert.Contains("cart -> ledger", await page.Graph.EdgeNamesAsync());
    }

    [Fact]
    public async Task GroupByNamespace_DrawsWhatTheApiDraws_WhenChecked()
    {
        var page = await fixture.OpenAsync();

        await page.ChangedAsync(() => page.TimeBar.GroupByNamespaceAsync());

        var expected = Names(await Traffic.GraphAsync(fixture.Http, "lookback=1h&group=namespace"));
        Assert.Contains("shop", expected);
        Assert.Contains("money", expected);
        Assert.Equal(expected, Sorted(await page.Graph.NodeNamesAsync()));
    }

    [Fact]
    public async Task NodeClick_ShowsTheNumbersOfGraphJson_WhenAServiceIsClicked()
    {
        var page = await fixture.OpenAsync();

        await page.Graph.ClickNodeAsync("ledger");
        await page.Details.WaitForAsync("ledger");

        var node = (await Traffic.GraphAsync(fixture.Http, "lookback=1h"))["nodes"]!.AsArray().Single(n => (string)n!["name"]! == "ledger")!;
        var stats = node["stats"]!;
        Assert.Equal((long)stats["requestsServed"]!, Count(await page.Details.FieldAsync("requests")));
        Assert.Equal((long)stats["errorCount"]!, Count((await page.Details.FieldAsync("errors")).Split(' ')[0]));
        foreach (var quantile in new[] { "p50", "p95", "p99" })
        {
            Assert.Equal((double)stats["latency"]![quantile]!, Ms(await page.Details.FieldAsync(quantile)));
        }
        Assert.Equal((string)node["health"]!, await page.Page.InnerTextAsync("#details [data-field='health']"));
        await page.Details.WaitForChartAsync();
        Assert.Contains("sel=node", page.Page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExemplarLink_UsesTheTraceUrlTemplate_WhenAnEdgeIsClicked()
    {
        var page = await fixture.OpenAsync();

        await page.Graph.ClickEdgeAsync("cart", "ledger");
        await page.Details.WaitForAsync("cart → ledger");

        var edge = (await Traffic.GraphAsync(fixture.Http, "lookback=1h"))["edges"]!.AsArray()
            .Single(e => (string)e!["source"]! == "cart" && (string)e!["target"]! == "ledger")!;
        var failure = (string)edge["exemplars"]!["latestFailure"]!["traceId"]!;
        var links = await page.Details.TraceLinksAsync();
        Assert.Contains((failure, PageServer.TraceUrlTemplate.Replace("{traceId}", failure, StringComparison.Ordinal)), links);
        Assert.Equal((long)edge["callCount"]!, Count(await page.Details.FieldAsync("calls")));
    }

    [Fact]
    public async Task Search_HighlightsMatchingNodes_WhenTyped()
    {
        var page = await fixture.OpenAsync();

        await page.TimeBar.SearchAsync("LEDG");

        Assert.Equal(["ledger"], await page.Graph.MatchesAsync());
    }

    [Fact]
    public async Task Ranking_FocusesTheService_WhenARowIsClicked()
    {
        var page = await fixture.OpenAsync();
        Assert.Contains("ledger", await page.Ranking.ServicesAsync());

        await page.ChangedAsync(() => page.Ranking.ClickAsync("ledger"));

        Assert.Equal("ledger", await page.TimeBar.FocusValueAsync());
        Assert.Equal(Names(await Traffic.GraphAsync(fixture.Http, "lookback=1h&focus=ledger")), Sorted(await page.Graph.NodeNamesAsync()));
    }

    [Fact]
    public async Task HostileName_IsShownAsTextAndRunsNothing_WhenDrawnAndClicked()
    {
        var page = await fixture.OpenAsync();
        var dialogs = 0;
        page.Page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };

        Assert.Contains(ShopFixture.Hostile, await page.Graph.NodeTextsAsync());
        await page.Graph.ClickNodeAsync(ShopFixture.Hostile);
        await page.Details.WaitForAsync(ShopFixture.Hostile);

        Assert.Equal(ShopFixture.Hostile, await page.Details.TitleAsync());
        Assert.Contains(ShopFixture.Hostile, await page.Ranking.ServicesAsync());
        Assert.Null(await page.Page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
        Assert.Equal(0, await page.Page.Locator("#graph script, #details script, #ranking script, img[src='x']").CountAsync());
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task AccessibilityScan_FindsNoSeriousViolation_WhenANodeIsSelected()
    {
        var page = await fixture.OpenAsync();
        await page.Graph.ClickNodeAsync("cart");
        await page.Details.WaitForAsync("cart");
        await page.Details.WaitForChartAsync();

        var results = await page.Page.RunAxe();

        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html).Take(3))}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }

    private static long Count(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);

    private static double Ms(string text) => double.Parse(text.Replace("ms", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
}
