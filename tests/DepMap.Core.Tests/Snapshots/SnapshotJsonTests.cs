using System.Text;
using System.Text.Json;
using DepMap.Core.Diff;
using DepMap.Core.Graph;
using DepMap.Core.Snapshots;
using DepMap.Core.Tests.Diff;
using DepMap.Core.Writers;

namespace DepMap.Core.Tests.Snapshots;

public class SnapshotJsonTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void WriteUtf8_IsByteIdentical_WhenSameTrafficIsTakenTwiceInAnotherOrderAndHour()
    {
        var first = SnapshotJson.WriteUtf8(Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Base()), Hour, "hourly"));
        var later = DiffTraffic.Base(shiftMs: 3_600_000);
        later.Reverse();

        var second = SnapshotJson.WriteUtf8(Snapshot.Of(DiffTraffic.Statistics(later), Hour, "hourly"));

        Assert.Equal(first, second);
    }

    [Fact]
    public void WriteUtf8_HasNoTimesOrExemplars_WhenTrafficCarriesThem()
    {
        var text = SnapshotJson.Write(Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Base()), Hour));

        Assert.DoesNotContain("firstSeen", text, StringComparison.Ordinal);
        Assert.DoesNotContain("exemplars", text, StringComparison.Ordinal);
        Assert.DoesNotContain("2023-", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RebuildsTheSameGraph_WhenWrittenSnapshotIsReadBack()
    {
        var snapshot = Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Head()), Hour, "release 1.2");
        var bytes = SnapshotJson.WriteUtf8(snapshot);

        var read = SnapshotJson.Read(bytes);

        Assert.NotNull(read.Graph);
        Assert.Equal("release 1.2", read.Label);
        Assert.Equal(Hour, read.Window);
        Assert.Equal(snapshot.ContentHash, read.ContentHash);
        Assert.Equal(snapshot.TopologyHash, read.TopologyHash);
        Assert.Equal(bytes, SnapshotJson.WriteUtf8(read));
        Assert.Equal(DotWriter.Write(snapshot.Graph!), DotWriter.Write(read.Graph!));
    }

    [Fact]
    public void Hashes_SeparateTopologyFromContent_WhenOnlyTrafficChanges()
    {
        var @base = Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Base()), Hour);
        var busier = Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Base().Concat(DiffTraffic.Base().Take(3))), Hour);
        var other = Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Head()), Hour);

        Assert.Equal(@base.TopologyHash, busier.TopologyHash);
        Assert.NotEqual(@base.ContentHash, busier.ContentHash);
        Assert.NotEqual(@base.TopologyHash, other.TopologyHash);
        Assert.Matches("^sha256:[0-9a-f]{64}$", @base.ContentHash);
    }

    [Fact]
    public void Read_GivesTheSameFigures_WhenInputIsABareGraphJson()
    {
        var snapshot = Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Base()), null);
        var graphJson = JsonGraphWriter.WriteUtf8(ServiceGraph.From(DiffTraffic.Statistics(DiffTraffic.Base())));

        var read = SnapshotJson.Read(graphJson);

        Assert.Null(read.Graph);
        Assert.Null(read.Window);
        Assert.Equal(snapshot.Figures.Nodes, read.Figures.Nodes);
        Assert.Equal(snapshot.Figures.Edges, read.Figures.Edges);
        Assert.Equal(snapshot.TopologyHash, read.TopologyHash);
    }

    [Fact]
    public void Read_TakesTheWindowFromFromAndTo_WhenABareGraphJsonNamesIt()
    {
        var read = SnapshotJson.Read("""{"window":{"from":"2026-01-01T10:00:00Z","to":"2026-01-01T12:00:00Z"},"nodes":[],"edges":[]}""");

        Assert.Equal(TimeSpan.FromHours(2), read.Window);
    }

    [Fact]
    public void Read_UsesTheReadableGraph_WhenStatisticsWereRemovedByHand()
    {
        using var document = JsonDocument.Parse(SnapshotJson.WriteUtf8(Snapshot.Of(DiffTraffic.Statistics(DiffTraffic.Base()), Hour)));
        var edited = new StringBuilder("{");
        foreach (var property in document.RootElement.EnumerateObject().Where(p => p.Name != "statistics"))
        {
            edited.Append(edited.Length > 1 ? "," : "").Append(JsonSerializer.Serialize(property.Name)).Append(':').Append(property.Value.GetRawText());
        }

        var read = SnapshotJson.Read(edited.Append('}').ToString());

        Assert.Null(read.Graph);
        Assert.Equal(4, read.Figures.Edges.Count);
        Assert.Equal(Hour, read.Window);
    }

    [Theory]
    [InlineData("{\"format\":\"depmap-snapshot\",\"version\":1,", "$", "malformed JSON at line 1")]
    [InlineData("[1,2]", "$", "expected an object, found array")]
    [InlineData("{\"hello\":1}", "$", "neither a DepMap snapshot")]
    [InlineData("{\"format\":\"other\"}", "$.format", "expected \"depmap-snapshot\"")]
    [InlineData("{\"format\":\"depmap-snapshot\",\"version\":9}", "$.version", "version 9 is not supported")]
    [InlineData("{\"format\":\"depmap-snapshot\",\"version\":1,\"windowSeconds\":0,\"graph\":{}}", "$.windowSeconds", "expected more than 0")]
    [InlineData("{\"format\":\"depmap-snapshot\",\"version\":1,\"statistics\":{\"edges\":[\"!!\"],\"nodes\":[]}}", "$.statistics.edges[0]", "base64")]
    [InlineData("{\"format\":\"depmap-snapshot\",\"version\":1,\"statistics\":{\"edges\":[\"AQ==\"],\"nodes\":[]}}", "$.statistics.edges[0]", "edge statistics")]
    [InlineData("{\"nodes\":[],\"edges\":[{\"source\":\"a\",\"target\":\"b\",\"callCount\":\"3\",\"errorCount\":0}]}", "$.edges[0].callCount", "expected a number, found string")]
    [InlineData("{\"nodes\":[],\"edges\":[{\"source\":\"a\",\"target\":\"b\",\"callCount\":1,\"errorCount\":2}]}", "$.edges[0].errorCount", "exceed")]
    [InlineData("{\"nodes\":[{\"name\":\"a\",\"type\":\"robot\"}],\"edges\":[]}", "$.nodes[0].type", "unknown node type \"robot\"")]
    [InlineData("{\"nodes\":[],\"edges\":[{\"target\":\"b\",\"callCount\":1,\"errorCount\":0}]}", "$.edges[0].source", "missing")]
    public void Read_NamesTheJsonPath_WhenInputIsMalformed(string json, string path, string reason)
    {
        var error = Assert.Throws<SnapshotFormatException>(() => SnapshotJson.Read(json));

        Assert.Equal(path, error.JsonPath);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteUtf8_Refuses_WhenSnapshotHasFiguresOnly()
    {
        var figuresOnly = Snapshot.OfFigures(new GraphFigures([], [], null));

        Assert.Throws<ArgumentException>(() => SnapshotJson.WriteUtf8(figuresOnly));
    }
}
