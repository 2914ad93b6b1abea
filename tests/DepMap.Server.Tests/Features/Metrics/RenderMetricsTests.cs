using System.Net;
using DepMap.Server.Tests.Aggregation;

namespace DepMap.Server.Tests.Features.Metrics;

/// <summary>depmap_render_seconds and depmap_render_fallbacks_total through <c>/graph.svg</c>.</summary>
public sealed class RenderMetricsTests
{
    private const string Svg = "/graph.svg?from=2024-12-31T23:00:00Z&to=2025-01-01T02:00:00Z";

    [Fact]
    public async Task RenderSeconds_CountsOneDotDrawing_WhenGraphSvgIsAskedFor()
    {
        using var factory = await FactoryWithExampleAsync(new());
        using var client = factory.CreateClient();
        var before = await MetricsText.ScrapeAsync(client);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Svg)).StatusCode);
        // The same view again is the cached drawing: no second render.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Svg)).StatusCode);

        var after = await MetricsText.ScrapeAsync(client);
        Assert.Equal(1, after.Increase(before, "depmap_render_seconds_count{layout=\"dot\"}"));
        Assert.True(after.Increase(before, "depmap_render_seconds_sum{layout=\"dot\"}") > 0);
        Assert.Equal(0, after.Increase(before, "depmap_render_seconds_count{layout=\"sfdp\"}"));
        Assert.Equal(0, after.Increase(before, "depmap_render_fallbacks_total{layout=\"sfdp\"}"));
    }

    [Fact]
    public async Task RenderFallbacks_CountsSfdp_WhenTheGraphHasMoreEdgesThanDotMaxEdges()
    {
        // Every graph with an edge is over a limit of none: sfdp at once, no dot timeout to wait out.
        using var factory = await FactoryWithExampleAsync(new() { ["Graph:DotMaxEdges"] = "0" });
        using var client = factory.CreateClient();
        var before = await MetricsText.ScrapeAsync(client);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Svg)).StatusCode);

        var after = await MetricsText.ScrapeAsync(client);
        Assert.Equal(1, after.Increase(before, "depmap_render_fallbacks_total{layout=\"sfdp\"}"));
        Assert.Equal(1, after.Increase(before, "depmap_render_seconds_count{layout=\"sfdp\"}"));
        Assert.Equal(0, after.Increase(before, "depmap_render_seconds_count{layout=\"dot\"}"));
    }

    /// <summary>The docs' example trace, linked; no warm-up or prerender drawing behind the test's back.</summary>
    private static async Task<DepMapFactory> FactoryWithExampleAsync(Dictionary<string, string?> settings)
    {
        settings["Graph:WarmUpOnStart"] = "false";
        settings["Graph:PrerenderDefaultView"] = "false";
        var factory = new DepMapFactory(DepMapFactory.NewFolder(), ownsFolder: true, settings);
        using var client = factory.CreateClient();
        Assert.True((await client.PostAsync("/v1/traces", ExampleTraces.Otlp(), "application/json")).IsSuccessStatusCode);
        Assert.True((await client.PostAsync("/api/aggregate?flush=true", null)).IsSuccessStatusCode);
        return factory;
    }
}
