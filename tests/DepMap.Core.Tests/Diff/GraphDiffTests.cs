using DepMap.Core.Diff;
using DepMap.Core.Linking;
using DepMap.Core.Snapshots;
using DepMap.Core.Statistics;

namespace DepMap.Core.Tests.Diff;

public class GraphDiffTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void Compare_FindsExactAddedRemovedAndRegressedSets_WhenTwoSnapshotsOfKnownTraffic()
    {
        var @base = Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Base()), Hour, "base");
        var head = Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Head()), Hour, "head");

        var diff = GraphDiff.Compare(@base.Figures, head.Figures);

        Assert.Equal(["inventory"], diff.AddedNodes.Select(n => n.Name));
        Assert.Equal(["tracking-db"], diff.RemovedNodes.Select(n => n.Name));
        Assert.Equal(["logistics>inventory"], diff.AddedEdges.Select(e => Key(e.Key)));
        Assert.Equal(["tracking>tracking-db"], diff.RemovedEdges.Select(e => Key(e.Key)));
        Assert.Equal(["logistics>logistics-db", "logistics>tracking", "user>logistics"], diff.Changes.Select(c => Key(c.Key)));
        Assert.Equal([("logistics>logistics-db", RegressionReasons.P99), ("logistics>tracking", RegressionReasons.ErrorRate)],
            diff.Regressed.Select(c => (Key(c.Key), c.Reasons)));
        Assert.True(diff.TopologyChanged);
    }

    [Fact]
    public void Compare_MeasuresErrorPointsAndP99OnTheRightSide_WhenEdgesAreInBoth()
    {
        var diff = GraphDiff.Compare(
            Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Base()), Hour).Figures,
            Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Head()), Hour).Figures);

        var tracking = diff.Changes.Single(c => c.Key.Callee == "tracking");
        Assert.Equal(30, tracking.ErrorRatePoints);
        Assert.Equal(LatencySide.Server, tracking.P99!.Side);
        Assert.Equal(0, tracking.P99.Ratio);
        // A database reports no server span: its latency is what the caller waited.
        var database = diff.Changes.Single(c => c.Key.Callee == "logistics-db");
        Assert.Equal(LatencySide.Client, database.P99!.Side);
        Assert.InRange(database.P99.Ratio!.Value, 1.95, 2.05);
        Assert.InRange(database.P95!.HeadMs, 89, 91);
    }

    [Fact]
    public void Compare_GivesCallsPerMinuteOfEachWindow_WhenWindowsDiffer()
    {
        var edge = Edge("a", "b", calls: 60, errors: 0);
        var diff = GraphDiff.Compare(Figures(Hour, edge), Figures(TimeSpan.FromHours(2), edge with { CallCount = 240 }));

        var change = Assert.Single(diff.Changes);
        Assert.Equal(1, change.BaseCallsPerMinute);
        Assert.Equal(2, change.HeadCallsPerMinute);
        Assert.Equal(1, change.CallRateRatio);
    }

    [Fact]
    public void Compare_LeavesCallRateUnknown_WhenAWindowIsUnknown()
    {
        var edge = Edge("a", "b", calls: 60, errors: 0);
        var change = Assert.Single(GraphDiff.Compare(Figures(null, edge), Figures(Hour, edge)).Changes);

        Assert.Null(change.BaseCallsPerMinute);
        Assert.Null(change.CallRateRatio);
    }

    [Theory]
    [InlineData(100, 2, 7, true)]    // 2% -> 7%: exactly +5 points
    [InlineData(100, 2, 6, false)]
    [InlineData(100, 10, 15, true)]  // 0.15 - 0.10 is 0.04999… in binary: rounding keeps it +5
    [InlineData(20, 0, 1, true)]     // 0% -> 5%
    public void Compare_FlagsErrorRegression_AtTheFivePointThreshold(long calls, long baseErrors, long headErrors, bool regressed)
    {
        var diff = GraphDiff.Compare(Figures(Hour, Edge("a", "b", calls, baseErrors)), Figures(Hour, Edge("a", "b", calls, headErrors)));

        Assert.Equal(regressed, Assert.Single(diff.Changes).Reasons.HasFlag(RegressionReasons.ErrorRate));
    }

    [Theory]
    [InlineData(40, 60, true)]     // +50% exactly
    [InlineData(40, 59.9, false)]
    [InlineData(40, 20, false)]    // faster is never a regression
    [InlineData(0, 20, false)]     // no relative change from zero
    public void Compare_FlagsP99Regression_AtTheFiftyPercentThreshold(double baseP99, double headP99, bool regressed)
    {
        var before = Edge("a", "b", 10, 0) with { ServerLatency = new LatencyFigures(baseP99, baseP99) };
        var after = Edge("a", "b", 10, 0) with { ServerLatency = new LatencyFigures(headP99, headP99) };

        var change = Assert.Single(GraphDiff.Compare(Figures(Hour, before), Figures(Hour, after)).Changes);

        Assert.Equal(regressed, change.Reasons.HasFlag(RegressionReasons.P99));
    }

    [Fact]
    public void Compare_UsesConfiguredThresholds_WhenOptionsGiven()
    {
        var before = Edge("a", "b", 100, 2) with { ServerLatency = new LatencyFigures(10, 40) };
        var after = Edge("a", "b", 100, 4) with { ServerLatency = new LatencyFigures(10, 50) };
        var strict = new DiffOptions { ErrorRateRisePoints = 1, P99RiseRatio = 0.2 };

        Assert.Empty(GraphDiff.Compare(Figures(Hour, before), Figures(Hour, after)).Regressed);
        Assert.Equal(RegressionReasons.ErrorRate | RegressionReasons.P99,
            Assert.Single(GraphDiff.Compare(Figures(Hour, before), Figures(Hour, after), strict).Regressed).Reasons);
    }

    [Fact]
    public void Compare_ComparesClientSide_WhenOnlyOneSideHasServerLatency()
    {
        var before = Edge("a", "b", 10, 0) with { ServerLatency = new LatencyFigures(5, 5), ClientLatency = new LatencyFigures(10, 10) };
        var after = Edge("a", "b", 10, 0) with { ClientLatency = new LatencyFigures(30, 30) };

        var change = Assert.Single(GraphDiff.Compare(Figures(Hour, before), Figures(Hour, after)).Changes);

        Assert.Equal(LatencySide.Client, change.P99!.Side);
        Assert.Equal(2, change.P99.Ratio);
    }

    [Fact]
    public void Compare_SeparatesEdgesByConnectionType_WhenSameServicesTalkTwoWays()
    {
        var rpc = Edge("a", "b", 10, 0);
        var queue = rpc with { Key = new EdgeKey("a", "b", ConnectionType.MessagingSystem) };

        var diff = GraphDiff.Compare(Figures(Hour, rpc), Figures(Hour, rpc, queue));

        Assert.Equal(ConnectionType.MessagingSystem, Assert.Single(diff.AddedEdges).Key.ConnectionType);
        Assert.Empty(diff.AddedNodes);
    }

    internal static EdgeFigures Edge(string caller, string callee, long calls, long errors) =>
        new(new EdgeKey(caller, callee, ConnectionType.None), calls, errors, null, null);

    internal static GraphFigures Figures(TimeSpan? window, params EdgeFigures[] edges) =>
        new(edges.SelectMany(e => new[] { e.Key.Caller, e.Key.Callee }).Distinct().Select(n => new NodeFigures(n, NodeType.Service)), edges, window);

    private static string Key(EdgeKey key) => $"{key.Caller}>{key.Callee}";
}
