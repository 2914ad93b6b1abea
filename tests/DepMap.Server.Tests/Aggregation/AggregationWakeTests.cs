using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using DepMap.Server.Features.Aggregation;
using DepMap.Storage;
using DepMap.Storage.Aggregation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>
/// Ingest's commits wake the aggregation (issue 15): with the recurring job scheduled never and no
/// POST /api/aggregate, a complete trace is linked right after its commit, and an incomplete one
/// once its grace (the settle time) has passed on the clock, with or without another commit.
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
    public async Task ACompleteTrace_IsLinkedRightAfterItsCommit_WithoutTheClockMoving()
    {
        using var factory = new AggregationFactory(settings: Woken());
        var progress = factory.Services.GetRequiredService<AggregationProgress>();
        var before = progress.Version;

        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());
        await WaitRealTimeAsync(() => Task.FromResult(progress.Version != before), "the complete trace was not linked before its grace");

        var graph = await factory.WithDbAsync(db => db.ReadGraphStatisticsAsync(ExampleTraces.Start, ExampleTraces.Start.AddMinutes(1)));
        Assert.Equal(1, graph.Edges[new EdgeKey("logistics", "tracking", ConnectionType.None)].CallCount);
    }

    [Trait("Provider", "Sqlite")]
    [Fact]
    public async Task AnIncompleteTrace_IsLinkedWhenItsGraceEnds_WithoutAnotherCommit()
    {
        using var factory = new AggregationFactory(settings: Woken());
        var progress = factory.Services.GetRequiredService<AggregationProgress>();
        var waiting = factory.Services.GetRequiredService<PendingTraces>();
        var before = progress.Version;

        // Logistics' client to tracking is unanswered: the woken run takes the trace in and lets it wait.
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.OtlpOf("logistics"));
        await WaitRealTimeAsync(() => Task.FromResult(waiting.Count > 0), "the woken run did not take the incomplete trace in");
        var versionWhilePending = progress.Version;
        var waitingSince = factory.Clock.GetUtcNow();
        // A second at a time, as a real clock: the trace waits from inside the run, which may still
        // be finishing, and a single jump could land before the wake has set its next time.
        await LetTimePassUntilARunAsync(factory, before);

        Assert.Equal(before, versionWhilePending);
        Assert.True(factory.Clock.GetUtcNow() - waitingSince >= TimeSpan.FromSeconds(30), "the trace was linked before its grace ended");
        Assert.Equal(0, waiting.Count);
        Assert.False(await factory.WithDbAsync(db => db.Traces.AnyAsync(t => t.Pending)));
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

    /// <summary>Waits up to 30 s of real time, the fake clock standing still, until <paramref name="done"/>.</summary>
    private static async Task WaitRealTimeAsync(Func<Task<bool>> done, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20);
        }
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
