using System.Text.Json;
using DepMap.Core.Writers;

namespace DepMap.Core.Tests.Writers;

public class JsonGraphWriterTests
{
    [Fact]
    public void Write_FollowsDocumentedSchema_WhenGraphIsTheLogisticsExample()
    {
        using var json = JsonDocument.Parse(JsonGraphWriter.Write(SampleGraphs.Logistics()));
        var root = json.RootElement;

        Assert.Equal(["logistics", "logistics-db", "tracking", "tracking-db", "user"],
            root.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()));
        Assert.Equal(["service", "database", "service", "database", "user"],
            root.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("type").GetString()));
        var edges = root.GetProperty("edges").EnumerateArray().ToList();
        Assert.Equal(["logistics>logistics-db:database", "logistics>tracking:", "tracking>tracking-db:database", "user>logistics:"],
            edges.Select(e => $"{e.GetProperty("source")}>{e.GetProperty("target")}:{e.GetProperty("connectionType")}"));

        var tracking = edges[1];
        Assert.Equal(10, tracking.GetProperty("callCount").GetInt64());
        Assert.Equal(1, tracking.GetProperty("errorCount").GetInt64());
        Assert.Equal(0.1, tracking.GetProperty("errorRate").GetDouble());
        foreach (var side in new[] { "clientLatency", "serverLatency" })
        {
            var latency = tracking.GetProperty(side);
            foreach (var q in new[] { "p50", "p90", "p95", "p99" })
            {
                Assert.InRange(latency.GetProperty(q).GetDouble(), 39.6, 40.4);
            }
            Assert.Equal(40, latency.GetProperty("mean").GetDouble());
        }
        Assert.Equal(JsonValueKind.Null, edges[0].GetProperty("serverLatency").ValueKind);
        Assert.Equal("GET /tracking/:id", tracking.GetProperty("operations")[0].GetProperty("name").GetString());
        Assert.Equal("2023-11-14T22:13:20.0000000Z", tracking.GetProperty("firstSeen").GetString());
        Assert.Equal("0000000000000003", tracking.GetProperty("exemplars").GetProperty("latestFailure").GetProperty("traceId").GetString());
        Assert.False(tracking.GetProperty("inCycle").GetBoolean());
        Assert.Equal(0, root.GetProperty("cycles").GetArrayLength());
    }

    [Fact]
    public void Write_IsIdentical_WhenTracesArriveInAnotherOrder()
    {
        Assert.Equal(JsonGraphWriter.WriteUtf8(SampleGraphs.Logistics()), JsonGraphWriter.WriteUtf8(SampleGraphs.Logistics(reversed: true)));
    }

    [Fact]
    public void Write_LeavesOutTimesAndExemplars_WhenSnapshotAsksForStableOutput()
    {
        var text = JsonGraphWriter.Write(SampleGraphs.Logistics(), new JsonGraphWriterOptions { IncludeTimesAndExemplars = false, Indented = false });

        Assert.DoesNotContain("firstSeen", text);
        Assert.DoesNotContain("exemplars", text);
        Assert.DoesNotContain("\n", text);
    }

    [Fact]
    public void Write_GivesValidJsonWithNamesIntact_WhenNamesAreHostile()
    {
        using var json = JsonDocument.Parse(JsonGraphWriter.Write(SampleGraphs.Hostile()));

        var names = json.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()).ToHashSet();
        foreach (var name in SampleGraphs.HostileNames.Where(n => !n.Contains('\ud800', StringComparison.Ordinal)))
        {
            Assert.Contains(name, names);
        }
        Assert.Equal(SampleGraphs.HostileNames.Length, names.Count);
        Assert.Single(json.RootElement.GetProperty("cycles").EnumerateArray());
    }
}
