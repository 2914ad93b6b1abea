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
    [InlineData(1)]
    [InlineData(2)]
    public async Task Statistics_AreThoseOfACleanRun_WhenARunStopsBeforeABatchCommitAndRunsAgain(int killedBatch)
    {
        // Four spans a batch: the six-span trace waits (in memory, the mark held back before it)
        // after the first batch and is linked by the second, so each kill cuts the run at a different step.
        using var factory = new AggregationFactory(settings: new() { ["Aggregation:SpanBatchSize"] = "4" });
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());
        var commits = new List<int>();
        factory.Faults.BeforeCommit = batch =>
        {
            commits.Add(batch);
            if (batch == killedBatch)
            {
                throw new InvalidOperationException($"killed before the commit of batch {batch}");
            }
        };

        await Assert.ThrowsAsync<InvalidOperationException>(() => factory.SendAsync(new AggregateSpans(Flush: true)));
        var afterKill = await StatisticsSnapshot.TakeAsync(factory);
        commits.Clear();
        factory.Faults.BeforeCommit = commits.Add;
        await factory.AggregateAsync();

        Assert.Equal("", afterKill);
        // On SQLite the run again takes in both batches either way: the first's commit held the
        // mark back before the waiting trace, whose spans waited only in the failed run's memory.
        // On PostgreSQL the waiting trace waits in its row, committed with the first batch, so
        // after a kill before the second only the second is left to take in.
        Assert.Equal(DepMapFactory.OnPostgreSql && killedBatch == 2 ? [1] : [1, 2], commits);
        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(factory));
    }

    [Fact]
    public async Task Statistics_AreThoseOfACleanRun_WhenAnIncompleteTraceWaitedAndThenCompletes()
    {
        using var factory = new AggregationFactory();
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.OtlpOf("logistics"));
        factory.Clock.Advance(TimeSpan.FromSeconds(5));

        // Logistics' client to tracking is unanswered and its grace (30 s) has not passed: it waits.
        var waiting = await factory.SendAsync(new AggregateSpans(Flush: false));
        var afterFirst = await StatisticsSnapshot.TakeAsync(factory);
        factory.Clock.Advance(TimeSpan.FromSeconds(15));
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.OtlpOf("tracking"));
        // Complete now: linked at once, within the grace.
        var linked = await factory.SendAsync(new AggregateSpans(Flush: false));

        Assert.Equal((0L, ""), (waiting.TracesLinked, afterFirst));
        Assert.Equal(1L, linked.TracesLinked);
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
        factory.Faults.BeforeCommit = _ => throw new InvalidOperationException("killed");

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
                // Half settled: the first service's spans are taken in, their trace waits in its row.
                first.Clock.Advance(TimeSpan.FromSeconds(31));
                await AggregationTests.PostOtlpJsonAsync(first, ExampleTraces.OtlpOf("tracking"));
                await first.AggregateAsync(flush: false);
            }
        }

        using var second = new AggregationFactory(folder: folder, ownsFolder: true);
        await second.AggregateAsync();

        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(second));
    }

    internal static async Task<string> CleanRunAsync()
    {
        using var clean = new AggregationFactory();
        await AggregationTests.PostOtlpJsonAsync(clean, ExampleTraces.Otlp());
        await clean.AggregateAsync();
        var snapshot = await StatisticsSnapshot.TakeAsync(clean);
        Assert.NotEqual("", snapshot);
        return snapshot;
    }
}
