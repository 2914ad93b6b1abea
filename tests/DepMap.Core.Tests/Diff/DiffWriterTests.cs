using System.Text.Json;
using System.Text.RegularExpressions;
using DepMap.Core.Diff;
using DepMap.Core.Snapshots;

namespace DepMap.Core.Tests.Diff;

public partial class DiffWriterTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly Snapshot BaseSnapshot = Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Base()), Hour, "base");
    private static readonly Snapshot HeadSnapshot = Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Head()), Hour, "head");
    private static readonly GraphDiff Diff = GraphDiff.Compare(BaseSnapshot.Figures, HeadSnapshot.Figures);

    [Fact]
    public void DiffJsonWriter_FollowsDocumentedSchema_WhenTrafficChanged()
    {
        using var json = JsonDocument.Parse(DiffJsonWriter.Write(Diff, DiffSource.Of(BaseSnapshot, "graphs/baseline.json"), DiffSource.Of(HeadSnapshot)));
        var root = json.RootElement;

        Assert.Equal("graphs/baseline.json", root.GetProperty("base").GetProperty("name").GetString());
        Assert.Equal(BaseSnapshot.TopologyHash, root.GetProperty("base").GetProperty("topologyHash").GetString());
        Assert.Equal(3600, root.GetProperty("head").GetProperty("windowSeconds").GetDouble());
        var summary = root.GetProperty("summary");
        Assert.Equal((1, 1, 1, 1, 3, 2), (summary.GetProperty("addedNodes").GetInt32(), summary.GetProperty("removedNodes").GetInt32(),
            summary.GetProperty("addedEdges").GetInt32(), summary.GetProperty("removedEdges").GetInt32(),
            summary.GetProperty("commonEdges").GetInt32(), summary.GetProperty("regressedEdges").GetInt32()));
        Assert.Equal("inventory", root.GetProperty("edges").GetProperty("added")[0].GetProperty("target").GetString());
        var tracking = root.GetProperty("edges").GetProperty("common").EnumerateArray().Single(e => e.GetProperty("target").GetString() == "tracking");
        Assert.True(tracking.GetProperty("regressed").GetBoolean());
        Assert.Equal(["errorRate"], tracking.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(30, tracking.GetProperty("errorRate").GetProperty("points").GetDouble());
        Assert.Equal(0, tracking.GetProperty("callsPerMinute").GetProperty("ratio").GetDouble());
        Assert.Equal("server", tracking.GetProperty("p99").GetProperty("side").GetString());
    }

    [Fact]
    public void DiffTextWriter_ListsEachChangeOnItsOwnLine_WhenTrafficChanged()
    {
        var lines = DiffTextWriter.Write(Diff, new DiffSource("graphs/baseline.json"), new DiffSource("http://depmap:5080")).Split('\n');

        Assert.Contains("nodes: +1 -1; edges: +1 -1, 2 regressed of 3 in both", lines);
        Assert.Contains("+ node inventory (service)", lines);
        Assert.Contains("- node tracking-db (database)", lines);
        Assert.Contains("+ edge logistics -> inventory: 10 calls, 0.0% errors, p99 12 ms", lines);
        Assert.Contains("- edge tracking -> tracking-db (database): was 10 calls, 0.0% errors, p99 20 ms", lines);
        Assert.Contains("! edge logistics -> tracking regressed: errors 10.0% -> 40.0% (+30.0 pt)", lines);
        Assert.Single(lines, l => l.StartsWith("! edge logistics -> logistics-db (database) regressed: p99 30 ms -> 90 ms (+", StringComparison.Ordinal));
    }

    [Fact]
    public void DiffTextWriter_SaysNothingChanged_WhenSameSnapshotTwice()
    {
        var text = DiffTextWriter.Write(GraphDiff.Compare(BaseSnapshot.Figures, BaseSnapshot.Figures));

        Assert.Contains("no change in topology and no regression", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n+ ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DiffDotWriter_ColoursAddedRemovedAndRegressed_WhenBothGraphsDrawnInOne()
    {
        var dot = DiffDotWriter.Write(BaseSnapshot.Graph!, HeadSnapshot.Graph!, Diff);

        var ids = NodeLine().Matches(dot).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["id"].Value);
        Assert.Equal(["inventory", "logistics", "logistics-db", "tracking", "tracking-db", "user"], ids.Keys.Order(StringComparer.Ordinal));
        var edges = EdgeLine().Matches(dot).ToDictionary(m => (m.Groups["from"].Value, m.Groups["to"].Value), m => m.Value);
        Assert.Contains($"color=\"{DiffDotWriter.AddedColor}\"", edges[(ids["logistics"], ids["inventory"])], StringComparison.Ordinal);
        Assert.Contains($"color=\"{DiffDotWriter.RemovedColor}\"", edges[(ids["tracking"], ids["tracking-db"])], StringComparison.Ordinal);
        Assert.Contains("style=\"dashed\"", edges[(ids["tracking"], ids["tracking-db"])], StringComparison.Ordinal);
        var tracking = edges[(ids["logistics"], ids["tracking"])];
        Assert.Contains($"color=\"{DiffDotWriter.RegressedColor}\"", tracking, StringComparison.Ordinal);
        Assert.Contains("errors 10.0% -> 40.0% (+30.0 pt)", tracking, StringComparison.Ordinal);
        Assert.Contains($"color=\"{DiffDotWriter.RegressedColor}\"", edges[(ids["logistics"], ids["logistics-db"])], StringComparison.Ordinal);
        Assert.DoesNotContain(DiffDotWriter.RegressedColor, edges[(ids["user"], ids["logistics"])], StringComparison.Ordinal);
        Assert.Equal(5, edges.Count);
    }

    [GeneratedRegex("""^\s+(?<id>n\d+) \[label="(?<name>[^"\\]+)""", RegexOptions.Multiline)]
    private static partial Regex NodeLine();

    [GeneratedRegex("""^\s+(?<from>n\d+) -> (?<to>n\d+) \[.*$""", RegexOptions.Multiline)]
    private static partial Regex EdgeLine();
}
