using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace DepMap.Server.BrowserTests.Features.Conformance;

/// <summary>
/// A declared model with a known drift against real traffic: gateway → payments and orders → fraud
/// are called but not declared (fraud is not declared at all), payments → orders is declared but
/// never called, and the rules forbid gateway → payments and orders → payments.
/// gateway → orders is declared and allowed, and fails often enough to be drawn red without the toggle.
/// Namespaces: gateway in edge, orders and payments in shop, fraud in risk.
/// </summary>
public sealed class DriftFixture : BrowserFixture
{
    public const string Catalog = """
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: { name: gateway }
        spec: { type: website, lifecycle: production, owner: group:shop, dependsOn: [component:orders] }
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: { name: orders }
        spec: { type: service, lifecycle: production, owner: group:shop, dependsOn: [component:payments] }
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: { name: payments }
        spec: { type: service, lifecycle: production, owner: group:shop, dependsOn: [component:orders] }
        """;

    public const string Rules = """
        forbidden:
          - from: gateway
            to: payments
            reason: the gateway pays through orders
          - from: orders
            to: payments
            reason: orders hand payments to a queue
        """;

    public static DateTimeOffset Recent => DateTimeOffset.UtcNow.AddMinutes(-3);

    protected override async Task SeedAsync(HttpClient http)
    {
        await Traffic.SendAsync(http,
            new Calls("gateway", "orders", 20, Recent, Failing: 4, CallerNamespace: "edge", CalleeNamespace: "shop"),
            new Calls("orders", "payments", 12, Recent, CallerNamespace: "shop", CalleeNamespace: "shop"),
            new Calls("gateway", "payments", 6, Recent, Failing: 1, CallerNamespace: "edge", CalleeNamespace: "shop"),
            new Calls("orders", "fraud", 5, Recent, CallerNamespace: "shop", CalleeNamespace: "risk"));
        (await http.PostAsync("/models?name=shop", new StringContent(Catalog, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();
        (await http.PostAsync("/models/rules", new StringContent(Rules, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();
    }
}

public sealed class ConformanceToggleTests(DriftFixture fixture) : IClassFixture<DriftFixture>
{
    private const string Red = "rgb(214, 39, 40)";
    private const string Grey = "rgb(85, 85, 85)";
    private const string UnusedGrey = "rgb(153, 153, 153)";
    private const string Purple = "rgb(123, 63, 160)";

    [Fact]
    public async Task Toggle_ColoursExactlyTheFindings_WhenTurnedOn()
    {
        var page = await fixture.OpenAsync();

        await page.ChangedAsync(page.Conformance.CheckAsync);

        await AssertColouredAsync(page);
        Assert.Contains("conf=1", page.Page.Url, StringComparison.Ordinal);
        var report = (await fixture.Http.GetFromJsonAsync<JsonObject>("/conformance.json?lookback=1h"))!["counts"]!;
        var counts = await page.Conformance.CountsAsync();
        Assert.Equal(new Dictionary<string, int>
        {
            ["undeclaredEdges"] = 2,
            ["unusedEdges"] = 1,
            ["violations"] = 2,
            ["unknownServices"] = 1,
            ["unmappedEntities"] = 0,
        }, counts);
        Assert.All(counts, c => Assert.Equal((int)report[c.Key]!, c.Value));
    }

    [Fact]
    public async Task Colours_SurviveAReload_WhenTheUrlSaysConf1()
    {
        var page = await fixture.OpenAsync("conf=1");
        Assert.True(await page.Conformance.IsCheckedAsync());
        await AssertColouredAsync(page);

        await page.Page.ReloadAsync();
        await page.Graph.WaitForRendersAsync(1);

        Assert.True(await page.Conformance.IsCheckedAsync());
        await AssertColouredAsync(page);
    }

    [Fact]
    public async Task ToggleOff_RestoresTheNormalStyles_AndRemovesTheUnusedEdge()
    {
        var page = await fixture.OpenAsync("conf=1");

        await page.ChangedAsync(page.Conformance.UncheckAsync);

        Assert.DoesNotContain("conf=1", page.Page.Url, StringComparison.Ordinal);
        Assert.False(await page.Conformance.LegendVisibleAsync());
        Assert.Empty(await page.Graph.EdgeStylesAsync("payments", "orders"));
        // The usual colours again: errors red (20% of gateway → orders failed), the rest grey, no finding classes.
        Assert.Equal(Red, Single(await page.Graph.EdgeStylesAsync("gateway", "orders")).Stroke);
        var violating = Single(await page.Graph.EdgeStylesAsync("orders", "payments"));
        Assert.Equal(Grey, violating.Stroke);
        Assert.True(violating.StrokeWidth < 6);
        foreach (var (source, target) in new[] { ("gateway", "orders"), ("orders", "payments"), ("gateway", "payments"), ("orders", "fraud") })
        {
            Assert.DoesNotContain(Single(await page.Graph.EdgeStylesAsync(source, target)).Classes, c => c.StartsWith("conf-", StringComparison.Ordinal));
        }
        Assert.DoesNotContain("conf-unknown", await page.Graph.NodeClassesAsync("fraud"));
    }

    [Fact]
    public async Task EdgeClick_ShowsTheFindings_WhenTheEdgeHasSome()
    {
        var page = await fixture.OpenAsync("conf=1");

        await page.Graph.ClickEdgeLabelAsync("gateway", "payments");
        await page.Details.WaitForAsync("gateway → payments");
        var findings = await page.Details.ConformanceFindingsAsync();

        Assert.Equal(["undeclared", "forbidden-edge"], findings.Select(f => f.Rule));
        Assert.All(findings, f => Assert.Contains("6 calls, 1 errors", f.Text, StringComparison.Ordinal));
        var traces = await page.Details.TraceLinksAsync();
        Assert.Contains(traces, t => t.Href == PageServer.TraceUrlTemplate.Replace("{traceId}", t.TraceId, StringComparison.Ordinal)
            && findings[0].Text.Contains(t.TraceId, StringComparison.Ordinal));

        await page.Graph.ClickEdgeLabelAsync("payments", "orders");
        await page.Details.WaitForAsync("payments → orders");
        var unused = Assert.Single(await page.Details.ConformanceFindingsAsync());
        Assert.Equal("declared, unused", unused.Rule);
        Assert.Contains("component:default/payments → component:default/orders via dependsOn", unused.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Colours_AreKept_WhenALiveRefreshRedrawsTheGraph()
    {
        var page = await fixture.OpenAsync("conf=1");

        await page.ChangedAsync(() => Traffic.SendAsync(fixture.Http, new Calls("gateway", "orders", 5, DriftFixture.Recent.AddSeconds(5))));

        await AssertColouredAsync(page);
    }

    [Fact]
    public async Task GroupedView_ColoursTheNamespaceEdgesThatCarryAFinding()
    {
        var page = await fixture.OpenAsync("conf=1&group=namespace");

        // edge → shop holds gateway → payments (undeclared, forbidden) and gateway → orders (fine).
        var edgeToShop = Single(await page.Graph.EdgeStylesAsync("edge", "shop"));
        Assert.Equal((Red, 6.0), (edgeToShop.Stroke, edgeToShop.StrokeWidth));
        var shopToRisk = Single(await page.Graph.EdgeStylesAsync("shop", "risk"));
        Assert.Contains("conf-undeclared", shopToRisk.Classes);
        Assert.DoesNotContain("conf-violation", shopToRisk.Classes);
        Assert.Contains("conf-unknown", await page.Graph.NodeClassesAsync("risk"));
        Assert.DoesNotContain("conf-unknown", await page.Graph.NodeClassesAsync("shop"));
        // payments → orders is inside shop: no edge to add.
        Assert.DoesNotContain(await page.Graph.EdgeNamesAsync(), e => e.StartsWith("shop -> shop", StringComparison.Ordinal));
    }

    private static async Task AssertColouredAsync(DepMapPage page)
    {
        // Declared and allowed: grey, although a fifth of its calls failed (colour means a finding only).
        var allowed = Single(await page.Graph.EdgeStylesAsync("gateway", "orders"));
        Assert.Equal(Grey, allowed.Stroke);
        Assert.DoesNotContain(allowed.Classes, c => c.StartsWith("conf-", StringComparison.Ordinal));

        var forbidden = Single(await page.Graph.EdgeStylesAsync("orders", "payments"));
        Assert.Equal((Purple, 6.0), (forbidden.Stroke, forbidden.StrokeWidth));
        Assert.Contains("conf-violation", forbidden.Classes);
        Assert.DoesNotContain("conf-undeclared", forbidden.Classes);

        var both = Single(await page.Graph.EdgeStylesAsync("gateway", "payments"));
        Assert.Equal((Red, 6.0), (both.Stroke, both.StrokeWidth));
        Assert.Contains("conf-undeclared", both.Classes);
        Assert.Contains("conf-violation", both.Classes);

        var undeclared = Single(await page.Graph.EdgeStylesAsync("orders", "fraud"));
        Assert.Equal(Red, undeclared.Stroke);
        Assert.True(undeclared.StrokeWidth < 6);
        Assert.DoesNotContain("conf-violation", undeclared.Classes);

        var unused = Single(await page.Graph.EdgeStylesAsync("payments", "orders"));
        Assert.Equal(UnusedGrey, unused.Stroke);
        Assert.Contains("conf-unused", unused.Classes);
        Assert.NotEqual("none", unused.DashArray);

        Assert.Contains("conf-unknown", await page.Graph.NodeClassesAsync("fraud"));
        foreach (var known in new[] { "gateway", "orders", "payments" })
        {
            Assert.DoesNotContain("conf-unknown", await page.Graph.NodeClassesAsync(known));
        }
    }

    private static EdgeStyle Single(EdgeStyle[] styles) => Assert.Single(styles);
}

/// <summary>Traffic and no model: nothing stored, nothing configured.</summary>
public sealed class NoModelFixture : BrowserFixture
{
    protected override Task SeedAsync(HttpClient http) =>
        Traffic.SendAsync(http, new Calls("gateway", "orders", 5, DateTimeOffset.UtcNow.AddMinutes(-3)));
}

public sealed class ConformanceWithoutModelTests(NoModelFixture fixture) : IClassFixture<NoModelFixture>
{
    [Fact]
    public async Task Toggle_SaysThereIsNoModel_AndTheGraphStillDraws_WhenNoneIsStored()
    {
        var page = await fixture.OpenAsync();

        // A click, not a check: the toggle unchecks itself when the server says there is no model.
        await page.ChangedAsync(page.Conformance.ClickAsync);

        Assert.Equal("drawn", await page.Graph.StateAsync());
        Assert.Contains("gateway -> orders", await page.Graph.EdgeNamesAsync());
        Assert.True(await page.Conformance.IsDisabledAsync());
        Assert.False(await page.Conformance.IsCheckedAsync());
        Assert.Contains("POST /models", await page.Conformance.TitleAsync(), StringComparison.Ordinal);
        Assert.Contains("no model", await page.Conformance.LegendTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(Assert.Single(await page.Graph.EdgeStylesAsync("gateway", "orders")).Classes,
            c => c.StartsWith("conf-", StringComparison.Ordinal));
    }
}
