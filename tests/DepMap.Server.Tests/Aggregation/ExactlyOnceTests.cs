using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using DepMap.Server.Features.Aggregation;
using DepMap.Storage;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>
/// Every way a span can arrive twice or a run can be cut short must leave byte-identical statistics
/// (every minute and hour bucket row) to a clean run of the same trace in a separate database.
/// </summary>
public class ExactlyOnceTests
{
    private static readonly DateTimeOffset WindowFrom = ExampleTraces.Start.AddHours(-1);
    private static readonly DateTimeOffset WindowTo = ExampleTraces.Start.AddHours(1);

    [Fact]
    public async Task Statistics_AreThoseOfOneCopy_WhenSameBatchIsIngestedTwiceBeforeAggregation()
    {
        using var factory = new AggregationFactory();
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());

        await factory.AggregateAsync();

        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(factory));
    }

    [Fact]
    public async Task Statistics_AreThoseOfOneCopy_WhenSameBatchArrivesAgainAfterItsTraceWasLinked()
    {
        using var factory = new AggregationFactory();
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());
        await factory.AggregateAsync();
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());

        await factory.AggregateAsync();

        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(factory));
    }

    [Theory]
    [InlineData("Intake")]
    [InlineData("Statistics")]
    public async Task Statistics_AreThoseOfACleanRun_WhenARunStopsBeforeItsCommitAndRunsAgain(string step)
    {
        using var factory = new AggregationFactory();
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());
        var stopAt = Enum.Parse<AggregationStep>(step);
        factory.Faults.BeforeCommit = at =>
        {
            if (at == stopAt)
            {
                throw new InvalidOperationException($"killed before the {at} commit");
            }
        };

        var killed = await Assert.ThrowsAsync<InvalidOperationException>(() => factory.SendAsync(new AggregateSpans(Flush: true)));
        var afterKill = await StatisticsSnapshot.TakeAsync(factory);
        factory.Faults.BeforeCommit = null;
        await factory.AggregateAsync();

        Assert.Contains(step, killed.Message, StringComparison.Ordinal);
        Assert.Equal("", afterKill);
        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(factory));
    }

    [Fact]
    public async Task Statistics_ReplaceVirtualEdgeByRpcEdge_WhenServerSpanArrivesAfterItsClientWasLinked()
    {
        using var factory = new AggregationFactory();
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.OtlpOf("logistics"));
        await factory.AggregateAsync();
        var before = await factory.WithDbAsync(db => db.ReadGraphStatisticsAsync(WindowFrom, WindowTo));

        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.OtlpOf("tracking"));
        await factory.AggregateAsync();
        var after = await factory.WithDbAsync(db => db.ReadGraphStatisticsAsync(WindowFrom, WindowTo));

        var virtualEdge = new EdgeKey("logistics", "tracking", ConnectionType.VirtualNode);
        var rpcEdge = new EdgeKey("logistics", "tracking", ConnectionType.None);
        Assert.Equal((true, false), (before.Edges.ContainsKey(virtualEdge), before.Edges.ContainsKey(rpcEdge)));
        Assert.Equal((false, true), (after.Edges.ContainsKey(virtualEdge), after.Edges.ContainsKey(rpcEdge)));
        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(factory));
    }

    [Fact]
    public async Task Statistics_ReplaceVirtualEdgeExactly_WhenTheReLinkIsKilledOnceBeforeItsCommit()
    {
        using var factory = new AggregationFactory();
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.OtlpOf("logistics"));
        await factory.AggregateAsync();
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.OtlpOf("tracking"));
        factory.Faults.BeforeCommit = at =>
        {
            if (at == AggregationStep.Statistics)
            {
                throw new InvalidOperationException("killed");
            }
        };

        await Assert.ThrowsAsync<InvalidOperationException>(() => factory.SendAsync(new AggregateSpans(Flush: true)));
        factory.Faults.BeforeCommit = null;
        await factory.AggregateAsync();

        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(factory));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Statistics_AreThoseOfACleanRun_WhenHostRestartsBetweenIngestAndAggregation(bool takenInBeforeRestart)
    {
        var folder = DepMapFactory.NewFolder();
        using (var first = new AggregationFactory(folder: folder, ownsFolder: false))
        {
            await AggregationTests.PostOtlpJsonAsync(first, ExampleTraces.Otlp());
            if (takenInBeforeRestart)
            {
                // Not settled yet: the spans move into their trace's row, the trace waits.
                await first.AggregateAsync(flush: false);
            }
        }

        using var second = new AggregationFactory(folder: folder, ownsFolder: true);
        await second.AggregateAsync();

        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(second));
    }

    private static async Task<string> CleanRunAsync()
    {
        using var clean = new AggregationFactory();
        await AggregationTests.PostOtlpJsonAsync(clean, ExampleTraces.Otlp());
        await clean.AggregateAsync();
        var snapshot = await StatisticsSnapshot.TakeAsync(clean);
        Assert.NotEqual("", snapshot);
        return snapshot;
    }
}
