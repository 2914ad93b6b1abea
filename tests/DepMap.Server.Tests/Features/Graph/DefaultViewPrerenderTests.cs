using DepMap.Server.Features.Aggregation;
using DepMap.Server.Features.Graph;
using DepMap.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;

namespace DepMap.Server.Tests.Features.Graph;

public class DefaultViewPrerenderTests
{
    [Fact]
    public async Task Prerenderer_DrawsTheDefaultViewAfterARun_WhenSomeoneWatchesIt()
    {
        using var factory = await GraphQueryTests.AggregatedExampleAsync(traces: 1);
        await factory.CreateClient().GetStringAsync("/graph.svg");
        var cache = factory.Services.GetRequiredService<QueryCache>();
        var progress = factory.Services.GetRequiredService<AggregationProgress>();
        var view = new GetGraph(new GraphQuery(QueryWindow.Last(QueryWindow.DefaultLookback, factory.Clock.GetUtcNow())), GraphFormat.Svg);

        await Task.Run(() => LogisticsTraffic.Send(factory.Address, OtlpExportProtocol.HttpProtobuf, traces: 1,
            start: LogisticsTraffic.DefaultStart.AddMinutes(1)));
        await factory.AggregateAsync();
        var drawnBeforeTick = cache.Contains(GetGraphHandler.Key(progress.Version, view));
        factory.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.False(drawnBeforeTick);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!cache.Contains(GetGraphHandler.Key(progress.Version, view)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.True(cache.Contains(GetGraphHandler.Key(progress.Version, view)), "the default view was not drawn after the run");
    }

    [Fact]
    public async Task Prerenderer_DrawsNothing_WhenNobodyWatchesTheDefaultView()
    {
        using var factory = await GraphQueryTests.AggregatedExampleAsync(traces: 1);
        var cache = factory.Services.GetRequiredService<QueryCache>();
        var progress = factory.Services.GetRequiredService<AggregationProgress>();
        var view = new GetGraph(new GraphQuery(QueryWindow.Last(QueryWindow.DefaultLookback, factory.Clock.GetUtcNow())), GraphFormat.Svg);

        var prerenderer = factory.Services.GetRequiredService<DefaultViewPrerenderer>();
        var checksBefore = prerenderer.Checks;

        // Wait for the tick itself to be handled, not for a fixed time: its decision is then made.
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (prerenderer.Checks == checksBefore && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(prerenderer.Checks > checksBefore, "the prerenderer did not handle the tick");
        Assert.False(cache.Contains(GetGraphHandler.Key(progress.Version, view)));
    }
}
