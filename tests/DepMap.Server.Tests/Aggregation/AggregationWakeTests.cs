using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using DepMap.Server.Features.Aggregation;
using DepMap.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>
/// Ingest's commits wake the aggregation (issue 15): with the recurring job scheduled never and no
/// POST /api/aggregate, committed spans are linked once the settle time has passed on the clock.
/// </summary>
public class AggregationWakeTests
{
    private static Dictionary<string, string?> Woken() => new()
    {
        ["Aggregation:WakeOnIngest"] = "true",
        ["Aggregation:SettleSeconds"] = "30",
        ["Aggregation:WakeIntervalSeconds"] = "1",
    };

    [Fact]
    public async Task CommittedSpans_AreLinkedWithoutARequest_WhenTheSettleTimePasses()
    {
        using var factory = new AggregationFactory(settings: Woken());
        var progress = factory.Services.GetRequiredService<AggregationProgress>();
        var before = progress.Version;

        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());
        await LetTimePassUntilARunAsync(factory, before);

        var graph = await factory.WithDbAsync(db => db.ReadGraphStatisticsAsync(ExampleTraces.Start, ExampleTraces.Start.AddMinutes(1)));
        Assert.Equal(1, graph.Edges[new EdgeKey("logistics", "tracking", ConnectionType.None)].CallCount);
    }

    [Fact]
    public async Task ASpanArrivingAfterAWokenRun_ReLinksTheTrace_ToTheStatisticsOfOneFlush()
    {
        using var factory = new AggregationFactory(settings: Woken());
        var progress = factory.Services.GetRequiredService<AggregationProgress>();

        // One service's exporter sends first; the run links the trace without the other's spans.
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.OtlpOf("logistics"));
        await LetTimePassUntilARunAsync(factory, progress.Version);
        var partial = await StatisticsSnapshot.TakeAsync(factory);
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.OtlpOf("tracking"));
        await LetTimePassUntilARunAsync(factory, progress.Version);

        var clean = await ExactlyOnceTests.CleanRunAsync();
        Assert.NotEqual(clean, partial);
        Assert.Equal(clean, await StatisticsSnapshot.TakeAsync(factory));
    }

    /// <summary>
    /// Moves the fake clock a second at a time, as a real one would, until a run has committed
    /// statistics; fails after 30 s of real time.
    /// </summary>
    private static async Task LetTimePassUntilARunAsync(AggregationFactory factory, long versionBefore)
    {
        var progress = factory.Services.GetRequiredService<AggregationProgress>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (progress.Version == versionBefore)
        {
            Assert.True(DateTime.UtcNow < deadline, "no aggregation run was woken by the commit");
            factory.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }
    }
}
