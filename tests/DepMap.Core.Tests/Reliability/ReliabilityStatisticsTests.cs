using DepMap.Core.Reliability;

namespace DepMap.Core.Tests.Reliability;

public class ReliabilityStatisticsTests
{
    private static TraceReliability FailingOrder(string entry)
    {
        var trace = new TraceSketch();
        var root = trace.Server(entry, 0, 100, error: true);
        var orders = trace.Call(entry, "orders", 5, 80, root, error: true);
        trace.Database("orders", "orders-db", 10, 20, orders, error: true);
        return TraceReliability.Analyze(trace.Spans);
    }

    private static TraceReliability HealthyOrder(string entry)
    {
        var trace = new TraceSketch();
        var root = trace.Server(entry, 0, 50);
        trace.Call(entry, "orders", 5, 30, root);
        return TraceReliability.Analyze(trace.Spans);
    }

    [Fact]
    public void Subtract_LeavesEmptyStatistics_WhenEveryAddedTraceIsSubtracted()
    {
        var statistics = new ReliabilityStatistics();
        TraceReliability[] traces = [FailingOrder("web"), HealthyOrder("mobile"), FailingOrder("web")];
        foreach (var trace in traces)
        {
            statistics.Add(trace);
        }
        Assert.False(statistics.IsEmpty);

        foreach (var trace in traces.Reverse())
        {
            statistics.Subtract(trace);
        }

        Assert.True(statistics.IsEmpty);
        Assert.Empty(statistics.Services);
        Assert.Empty(statistics.Edges);
        Assert.Equal(new ReliabilityStatistics().ToBytes(), statistics.ToBytes());
    }

    [Fact]
    public void Add_SumsFactsAndEntryPoints_PerService()
    {
        var statistics = new ReliabilityStatistics();
        statistics.Add(FailingOrder("web"));
        statistics.Add(HealthyOrder("mobile"));
        statistics.Add(FailingOrder("web"));

        var orders = statistics.Services["orders"];
        Assert.Equal(3, statistics.Traces);
        Assert.Equal((3L, 2L, 2L, 0L), (orders.Facts.Requests, orders.Facts.Errors, orders.Facts.Originated, orders.Facts.PassedOn));
        Assert.Equal(3, orders.Traces);
        Assert.Equal(TraceSketch.Ms(250), orders.EndToEndNano);
        Assert.Equal(new Dictionary<string, long> { ["web"] = 2, ["mobile"] = 1 }, orders.EntryPoints.Counts);
        Assert.Equal(new EdgeFacts(2, 2, 0, 2), statistics.Edges[new ServiceEdge("orders", "orders-db")]);
    }

    [Fact]
    public void Subtract_OfStatistics_UndoesAddOfStatistics()
    {
        var window = new ReliabilityStatistics();
        window.Add(HealthyOrder("web"));
        var before = window.ToBytes();
        var late = new ReliabilityStatistics();
        late.Add(FailingOrder("web"));
        late.Add(FailingOrder("partner"));

        window.Add(late);
        Assert.Equal(3, window.Traces);
        window.Subtract(late);

        Assert.Equal(before, window.ToBytes());
    }

    [Fact]
    public void FromBytes_RoundTripsEveryCount()
    {
        var statistics = new ReliabilityStatistics();
        statistics.Add(FailingOrder("web"));
        statistics.Add(HealthyOrder("mobile"));
        var bytes = statistics.ToBytes();

        var read = ReliabilityStatistics.FromBytes(bytes);

        Assert.Equal(statistics.Traces, read.Traces);
        Assert.Equal(statistics.Edges, read.Edges);
        Assert.Equal(statistics.Services.Keys, read.Services.Keys);
        foreach (var (name, totals) in statistics.Services)
        {
            Assert.Equal(totals.Facts, read.Services[name].Facts);
            Assert.Equal(totals.EndToEndNano, read.Services[name].EndToEndNano);
            Assert.Equal(totals.EntryPoints.Counts, read.Services[name].EntryPoints.Counts);
        }
        Assert.Equal(bytes, read.ToBytes());
    }

    [Fact]
    public void ToBytes_AreTheSame_WhateverOrderTracesCameIn()
    {
        // Services, entry points and edges first seen in opposite orders: the blob of a bucket must
        // not depend on which of its traces a run linked first.
        TraceReliability[] traces = [FailingOrder("web"), HealthyOrder("mobile"), FailingOrder("admin"), HealthyOrder("zulu"), HealthyOrder("web")];
        var forward = new ReliabilityStatistics();
        var backward = new ReliabilityStatistics();
        foreach (var trace in traces)
        {
            forward.Add(trace);
        }
        foreach (var trace in traces.Reverse())
        {
            backward.Add(trace);
        }

        Assert.Equal(forward.ToBytes(), backward.ToBytes());
        Assert.Equal(forward.ToBytes(), ReliabilityStatistics.FromBytes(backward.ToBytes()).ToBytes());
    }

    [Fact]
    public void ToBytes_OfASmallBucket_AreTheSame_AfterALargerBucketWasWrittenOnTheSameThread()
    {
        // Each thread reuses its name table and edge array from one blob to the next.
        var small = new ReliabilityStatistics();
        small.Add(HealthyOrder("web"));
        byte[]? alone = null;
        var fresh = new Thread(() => alone = small.ToBytes());
        fresh.Start();
        fresh.Join();
        var large = new ReliabilityStatistics();
        foreach (var entry in Enumerable.Range(0, 40).Select(i => $"entry-{i:D2}"))
        {
            large.Add(FailingOrder(entry));
        }

        var largeBytes = large.ToBytes();
        var afterLarge = small.ToBytes();

        Assert.NotNull(alone);
        Assert.Equal(alone, afterLarge);
        Assert.Equal(40, ReliabilityStatistics.FromBytes(largeBytes).Services.Keys.Count(name => name.StartsWith("entry-", StringComparison.Ordinal)));
    }

    [Fact]
    public void FromBytes_ThrowsFormatExceptionNamingTheByte_WhenTruncated()
    {
        var statistics = new ReliabilityStatistics();
        statistics.Add(FailingOrder("web"));
        var bytes = statistics.ToBytes();

        for (var length = 0; length < bytes.Length; length++)
        {
            var error = Assert.Throws<FormatException>(() => ReliabilityStatistics.FromBytes(bytes.AsSpan(0, length)));
            Assert.Contains("byte", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EntryPoints_KeepTotalExact_WhenMoreNamesThanCapacityArrive()
    {
        var statistics = new ReliabilityStatistics();
        var traces = Enumerable.Range(0, ServiceTotals.MaxEntryPoints + 5).Select(i => HealthyOrder($"entry-{i:D2}")).ToList();
        traces.ForEach(statistics.Add);

        var entryPoints = statistics.Services["orders"].EntryPoints;
        Assert.Equal(ServiceTotals.MaxEntryPoints, entryPoints.Counts.Count);
        Assert.Equal(5, entryPoints.Other);
        Assert.Equal(traces.Count, entryPoints.Total);

        traces.ForEach(statistics.Subtract);
        Assert.True(statistics.IsEmpty);
    }
}
