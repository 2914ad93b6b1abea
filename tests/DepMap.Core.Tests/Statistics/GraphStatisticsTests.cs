using DepMap.Core.Linking;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;
using static DepMap.Core.Tests.Statistics.Calls;

namespace DepMap.Core.Tests.Statistics;

public class GraphStatisticsTests
{
    [Fact]
    public void Add_CountsCallsErrorsLatenciesAndNodes_WhenTraceHasRpcAndDatabaseCalls()
    {
        var statistics = GraphStatistics.From(Trace(
            Rpc("logistics", "tracking", clientMs: 42, serverMs: 40, "GET /tracking/:id", trace: 7, startOffsetMs: 5),
            Rpc("logistics", "tracking", clientMs: 12, serverMs: 10, "GET /tracking/:id", failed: true, trace: 7, startOffsetMs: 60),
            Db("logistics", "shipments", clientMs: 30, trace: 7)) with
        { UnnamedCalls = [new UnnamedCall("tracking", Failed: true, T0)] });

        var rpc = statistics.Edges[new EdgeKey("logistics", "tracking", ConnectionType.None)];
        Assert.Equal((2, 1), (rpc.CallCount, rpc.ErrorCount));
        Assert.Equal(0.5, rpc.ErrorRate);
        Assert.InRange(rpc.ClientLatency.Quantile(1), 41.6 * Ms, 42.4 * Ms);
        Assert.InRange(rpc.ServerLatency.Quantile(0), 9.9 * Ms, 10.1 * Ms);
        Assert.Equal(54 * Ms, rpc.ClientLatency.Sum);
        Assert.Equal((T0 + 5 * Ms, T0 + 60 * Ms), (rpc.FirstSeen, rpc.LastSeen));
        Assert.Equal(new Exemplar(new TraceId(0, 7), 42 * Ms), rpc.SlowestCall);
        Assert.Equal(new Exemplar(new TraceId(0, 7), T0 + 60 * Ms), rpc.LatestFailure);
        Assert.Equal(("GET /tracking/:id", 2L, 1L), (rpc.Operations[0].Name, rpc.Operations[0].CallCount, rpc.Operations[0].ErrorCount));

        var db = statistics.Edges[new EdgeKey("logistics", "shipments", ConnectionType.Database)];
        Assert.True(db.ServerLatency.IsEmpty);
        Assert.Equal(1, db.ClientLatency.Count);

        var tracking = statistics.Nodes["tracking"];
        Assert.Equal((2L, 1L, 0L, 1L, 1L), (tracking.RequestsServed, tracking.ErrorCount, tracking.CallsMade, tracking.UnnamedCalls, tracking.UnnamedCallErrors));
        Assert.Equal(50 * Ms, tracking.Latency.Sum); // server side: 40 + 10
        Assert.Equal(NodeType.Database, statistics.Nodes["shipments"].Type);
        Assert.Equal(30 * Ms, statistics.Nodes["shipments"].Latency.Sum); // no server side: the caller's view
        Assert.Equal(3, statistics.Nodes["logistics"].CallsMade);
    }

    [Fact]
    public void Subtract_RestoresExactCountsAndSketches_WhenSameTraceWasAdded()
    {
        var statistics = new GraphStatistics();
        foreach (var trace in Calls.Random(300, seed: 1))
        {
            statistics.Add(trace);
        }
        var before = Fingerprint(statistics);

        foreach (var late in Calls.Random(20, seed: 2))
        {
            statistics.Add(late);
            statistics.Subtract(late);
            Assert.Equal(before, Fingerprint(statistics));
        }
    }

    [Fact]
    public void Subtract_RemovesEdgesAndNodes_WhenEverythingIsTakenBack()
    {
        var traces = Calls.Random(50, seed: 3);
        var statistics = new GraphStatistics();
        traces.ForEach(statistics.Add);

        traces.ForEach(statistics.Subtract);

        Assert.True(statistics.IsEmpty);
    }

    [Fact]
    public void Subtract_ThrowsAndChangesNothing_WhenTraceWasNeverAdded()
    {
        var statistics = GraphStatistics.From(Trace(Rpc("a", "b", 10, 9), Rpc("b", "c", 5, 4)));
        var before = Fingerprint(statistics);

        var error = Assert.Throws<InvalidOperationException>(() => statistics.Subtract(Trace(Rpc("a", "b", 10, 9), Rpc("b", "c", 500, 4))));

        Assert.Contains("b -> c", error.Message);
        Assert.Equal(before, Fingerprint(statistics));
    }

    [Fact]
    public void Merge_EqualsAddingEveryTraceToOne_WhenTracesAreSplitAcrossBuckets()
    {
        var traces = Calls.Random(400, seed: 4);
        var whole = new GraphStatistics();
        traces.ForEach(whole.Add);

        var merged = new GraphStatistics();
        foreach (var chunk in traces.Chunk(37))
        {
            var bucket = new GraphStatistics();
            chunk.ToList().ForEach(bucket.Add);
            merged.Merge(bucket);
        }

        Assert.Equal(Fingerprint(whole), Fingerprint(merged));
    }

    [Fact]
    public void TryMergeEach_EqualsMergingTheSum_WhenNoEdgeHasTooManyOperations()
    {
        // Eight names per edge in every part: more than the bound added up, but never more than 8 together.
        var traces = Calls.Random(400, seed: 5);
        var parts = traces.Chunk(37).Select(chunk =>
        {
            var part = new GraphStatistics();
            chunk.ToList().ForEach(part.Add);
            return part;
        }).ToList();
        var sum = new GraphStatistics();
        parts.ForEach(sum.Merge);
        var once = new GraphStatistics();
        var each = new GraphStatistics();
        once.Add(traces[0]);
        each.Add(traces[0]);

        once.Merge(sum);
        var merged = each.TryMergeEach(parts);

        Assert.True(merged);
        Assert.Equal(Fingerprint(once), Fingerprint(each));
    }

    [Fact]
    public void TryMergeEach_ChangesNothing_WhenAnEdgesOperationsCouldFoldIntoOther()
    {
        // 30 operation names on one edge over the parts: which fold into "other" would depend on
        // the grouping, so the parts are not merged one by one.
        var parts = Enumerable.Range(0, 3).Select(p =>
        {
            var part = new GraphStatistics();
            for (var op = 0; op < 10; op++)
            {
                part.Add(Trace(Rpc("a", "b", 10 + op, 9, operation: $"GET /{p}/{op}")));
            }
            return part;
        }).ToList();
        var statistics = GraphStatistics.From(Trace(Rpc("a", "b", 10, 9)));
        var before = Fingerprint(statistics);

        var merged = statistics.TryMergeEach(parts);

        Assert.False(merged);
        Assert.Equal(before, Fingerprint(statistics));
    }

    [Fact]
    public void SubtractStatistics_GivesBackTheOtherBucket_WhenMergedBucketIsSubtracted()
    {
        var early = new GraphStatistics();
        Calls.Random(100, seed: 5).ForEach(early.Add);
        var late = new GraphStatistics();
        Calls.Random(100, seed: 6).ForEach(late.Add);
        var expected = Fingerprint(early);

        early.Merge(late);
        early.Subtract(late);

        Assert.Equal(expected, Fingerprint(early));
    }

    [Fact]
    public void Exemplars_DoNotDependOnOrder_WhenTracesArriveShuffled()
    {
        var traces = Calls.Random(200, seed: 7);
        var forward = new GraphStatistics();
        traces.ForEach(forward.Add);
        var backward = new GraphStatistics();
        Enumerable.Reverse(traces).ToList().ForEach(backward.Add);

        foreach (var (key, edge) in forward.Edges)
        {
            var other = backward.Edges[key];
            Assert.Equal((edge.SlowestCall, edge.LatestFailure, edge.FirstSeen, edge.LastSeen),
                (other.SlowestCall, other.LatestFailure, other.FirstSeen, other.LastSeen));
        }
    }

    [Fact]
    public void Subtract_DropsExemplar_WhenItsTraceIsTakenBack()
    {
        var statistics = GraphStatistics.From(Trace(Rpc("a", "b", 10, 9, failed: true, trace: 1)));
        var slow = Trace(Rpc("a", "b", 900, 899, failed: true, trace: 2, startOffsetMs: 10));
        statistics.Add(slow);
        Assert.Equal(2UL, statistics.Edges.Values.Single().SlowestCall?.TraceId.Low);

        statistics.Subtract(slow);

        var edge = statistics.Edges.Values.Single();
        Assert.Null(edge.SlowestCall);
        Assert.Null(edge.LatestFailure);
    }

    [Fact]
    public void NodeType_PrefersService_WhenNameIsSeenAsServiceAndAsPeer()
    {
        var statistics = GraphStatistics.From(Trace(
            Rpc("gateway", "search", 5, 4) with { CalleeType = NodeType.External, ConnectionType = ConnectionType.VirtualNode },
            Rpc("search", "index", 2, 1) with { CallerNamespace = "shop" }));

        Assert.Equal(NodeType.Service, statistics.Nodes["search"].Type);
        Assert.Equal("shop", statistics.Nodes["search"].Namespace);
    }

    [Fact]
    public void QueueDelayAndBroker_AreKept_WhenEdgeIsMessaging()
    {
        var statistics = GraphStatistics.From(Trace(
            Rpc("shop", "mailer", 1, 3) with { ConnectionType = ConnectionType.MessagingSystem, Broker = "kafka", Destination = "orders", QueueDelayNano = 7 * Ms },
            Rpc("shop", "mailer", 1, 3) with { ConnectionType = ConnectionType.MessagingSystem, Broker = "kafka", Destination = "orders" }));

        var edge = statistics.Edges.Values.Single();
        Assert.Equal(("kafka", "orders", 1L), (edge.Broker, edge.Destination, edge.QueueDelay.Count));
        Assert.Equal(7 * Ms, edge.QueueDelay.Sum);
    }
}
