using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using static DepMap.Core.Tests.Statistics.Calls;

namespace DepMap.Core.Tests.Statistics;

public class OperationBoundTests
{
    [Fact]
    public void Operations_KeepTwentyNamedAndSumTheRest_WhenNamesAreHighCardinality()
    {
        var statistics = GraphStatistics.From(Trace([.. Enumerable.Range(0, 50).Select(i => Rpc("a", "b", 10, 9, $"GET /users/{i}", failed: i % 10 == 0))]));

        var edge = statistics.Edges.Values.Single();
        Assert.Equal(EdgeStatistics.MaxOperations, edge.Operations.Count);
        Assert.Equal(EdgeStatistics.OtherOperationName, edge.OtherOperations?.Name);
        Assert.Equal(30, edge.OtherOperations?.CallCount);
        Assert.Equal(3, edge.OtherOperations?.ErrorCount);
        Assert.Equal(edge.CallCount, edge.Operations.Sum(o => o.CallCount) + edge.OtherOperations!.CallCount);
    }

    [Fact]
    public void Merge_KeepsTheBusiestTwenty_WhenBucketsHaveDifferentOperations()
    {
        var quiet = GraphStatistics.From(Trace([.. Enumerable.Range(0, 20).Select(i => Rpc("a", "b", 1, 1, $"rare{i}"))]));
        var busy = GraphStatistics.From(Trace([.. Enumerable.Range(0, 60).Select(i => Rpc("a", "b", 1, 1, $"hot{i % 5}"))]));

        quiet.Merge(busy);

        var edge = quiet.Edges.Values.Single();
        Assert.Equal(["hot0", "hot1", "hot2", "hot3", "hot4"], edge.Operations.Take(5).Select(o => o.Name));
        Assert.Equal(12, edge.Operations[0].CallCount);
        Assert.Equal(5, edge.OtherOperations?.CallCount);
        Assert.Equal(80, edge.Operations.Sum(o => o.CallCount) + edge.OtherOperations!.CallCount);
    }

    [Fact]
    public void Subtract_KeepsOperationsSummingToEdge_WhenFoldedOperationLaterGetsItsOwnSlot()
    {
        // "late" is folded into other while 20 operations fill the slots; then a slot frees up and
        // "late" gets it; taking the first "late" call back must not drive any count negative.
        var statistics = GraphStatistics.From(Trace([.. Enumerable.Range(0, 20).Select(i => Rpc("a", "b", 1, 1, $"op{i}"))]));
        var folded = Trace(Rpc("a", "b", 5, 5, "late", trace: 9));
        statistics.Add(folded);
        statistics.Subtract(Trace(Rpc("a", "b", 1, 1, "op0")));
        statistics.Add(Trace(Rpc("a", "b", 7, 7, "late", trace: 10)));

        statistics.Subtract(folded);

        var edge = statistics.Edges.Values.Single();
        Assert.Equal(20, edge.CallCount);
        Assert.Equal(edge.CallCount, edge.Operations.Sum(o => o.CallCount) + (edge.OtherOperations?.CallCount ?? 0));
        Assert.All(edge.Operations, o => Assert.True(o.CallCount > 0 && o.ErrorCount >= 0));
        Assert.Contains(edge.Operations, o => o.Name == "late" && o.CallCount == 1);
    }

    [Fact]
    public void Subtract_KeepsOperationsSummingToEdge_WhenRandomTracesComeAndGo()
    {
        var traces = Calls.Random(500, seed: 11, operations: 60);
        var statistics = new GraphStatistics();
        traces.ForEach(statistics.Add);
        foreach (var trace in traces.Where((_, i) => i % 3 == 0))
        {
            statistics.Subtract(trace);
        }

        foreach (var edge in statistics.Edges.Values)
        {
            var ops = edge.Operations.Append(edge.OtherOperations).OfType<OperationStatistics>().ToList();
            Assert.Equal(edge.CallCount, ops.Sum(o => o.CallCount));
            Assert.Equal(edge.ErrorCount, ops.Sum(o => o.ErrorCount));
            Assert.True(edge.Operations.Count <= EdgeStatistics.MaxOperations);
        }
        Assert.DoesNotContain(statistics.Edges.Values, e => e.Key.ConnectionType == ConnectionType.MessagingSystem);
    }
}
