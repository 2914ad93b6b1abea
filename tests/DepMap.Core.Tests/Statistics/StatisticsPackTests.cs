using System.Buffers;
using DepMap.Core.Statistics;
using static DepMap.Core.Tests.Statistics.Calls;

namespace DepMap.Core.Tests.Statistics;

public class StatisticsPackTests
{
    private static (byte[] Edges, byte[] Nodes) Pack(GraphStatistics statistics)
    {
        var edges = new ArrayBufferWriter<byte>();
        var nodes = new ArrayBufferWriter<byte>();
        StatisticsPack.WriteEdges(statistics, edges);
        StatisticsPack.WriteNodes(statistics, nodes);
        return (edges.WrittenSpan.ToArray(), nodes.WrittenSpan.ToArray());
    }

    private static List<string> Entries(GraphStatistics statistics) =>
    [
        .. statistics.Edges.Values.Select(e => "edge " + Convert.ToHexString(e.Serialize())).Order(StringComparer.Ordinal),
        .. statistics.Nodes.Values.Select(n => "node " + Convert.ToHexString(n.Serialize())).Order(StringComparer.Ordinal),
    ];

    [Fact]
    public void MergeInto_GivesBackEveryEdgeAndNodeByteForByte()
    {
        var statistics = new GraphStatistics();
        Calls.Random(300, seed: 31, operations: 40).ForEach(statistics.Add);
        var (edges, nodes) = Pack(statistics);

        var read = new GraphStatistics();
        StatisticsPack.MergeInto(read, edges, nodes);

        Assert.True(statistics.Edges.Count > 5 && statistics.Nodes.Count > 3);
        Assert.Equal(Entries(statistics), Entries(read));
        Assert.Equal(statistics.Edges.Count, StatisticsPack.ReadEdges(edges).Count);
        Assert.Equal(statistics.Nodes.Count, StatisticsPack.ReadNodes(nodes).Count);
    }

    [Fact]
    public void MergeInto_AddsToWhatIsThere_AsMergingTheStatisticsDoes()
    {
        var first = new GraphStatistics();
        Calls.Random(100, seed: 32).ForEach(first.Add);
        var second = new GraphStatistics();
        Calls.Random(100, seed: 33).ForEach(second.Add);
        var expected = new GraphStatistics();
        expected.Merge(first);
        expected.Merge(second);

        var read = new GraphStatistics();
        foreach (var part in new[] { first, second })
        {
            var (edges, nodes) = Pack(part);
            StatisticsPack.MergeInto(read, edges, nodes);
        }

        Assert.Equal(Entries(expected), Entries(read));
    }

    [Fact]
    public void EdgesBetweenAndNode_FindOnlyTheNamedOnes()
    {
        var statistics = new GraphStatistics();
        statistics.Add(Trace(Rpc("gateway", "orders", 30, 20), Rpc("orders", "payments", 12, 10, failed: true), Db("orders", "postgres", 4)));
        statistics.Add(Trace(Rpc("gateway", "orders", 40, 35)));
        var (edges, nodes) = Pack(statistics);

        var found = Assert.Single(StatisticsPack.EdgesBetween(edges, "gateway", "orders"));
        Assert.Equal(2, found.CallCount);
        Assert.Empty(StatisticsPack.EdgesBetween(edges, "orders", "gateway"));
        Assert.Equal(1, StatisticsPack.Node(nodes, "payments")?.ErrorCount);
        Assert.Null(StatisticsPack.Node(nodes, "nowhere"));
    }

    [Fact]
    public void Readers_ThrowFormatExceptionNamingTheByte_WhenAPackIsCutShortOrLies()
    {
        var statistics = new GraphStatistics();
        Calls.Random(20, seed: 34).ForEach(statistics.Add);
        var (edges, nodes) = Pack(statistics);

        // Where entries end, a shorter pack is a whole one: every other length is cut inside an entry.
        var ends = new HashSet<int>();
        for (var at = 0; at < edges.Length; at += 4 + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(edges.AsSpan(at)))
        {
            ends.Add(at);
        }
        Assert.True(ends.Count > 5);
        for (var length = 1; length < edges.Length; length++)
        {
            if (ends.Contains(length))
            {
                continue;
            }
            var cut = edges[..length];
            var error = Assert.ThrowsAny<FormatException>(() => StatisticsPack.MergeInto(new GraphStatistics(), cut, nodes));
            Assert.Contains("byte", error.Message, StringComparison.Ordinal);
        }
        var lying = (byte[])nodes.Clone();
        lying[0] = 0x7F;
        var claim = Assert.Throws<FormatException>(() => StatisticsPack.Node(lying, "gateway"));
        Assert.Contains("claims", claim.Message, StringComparison.Ordinal);
    }

    private static Dictionary<(string Parent, string Child), (long Calls, long Errors)> SomeLinks() => new()
    {
        [("gateway", "orders")] = (12, 3),
        [("orders", "payments")] = (5_000_000_000, 4_294_967_297),
        [("café \"quoted\"; DROP TABLE x", "日本-😀")] = (1, 0),
        [("orders", "")] = (2, 2),
    };

    private static byte[] PackLinks(Dictionary<(string Parent, string Child), (long Calls, long Errors)> links)
    {
        var pack = new ArrayBufferWriter<byte>();
        StatisticsPack.WriteLinks(links, pack);
        return pack.WrittenSpan.ToArray();
    }

    [Fact]
    public void AddLinks_GivesBackEveryLink_AndAddsToWhatIsThere()
    {
        var links = SomeLinks();
        var pack = PackLinks(links);

        var read = new Dictionary<(string Parent, string Child), (long Calls, long Errors)>();
        StatisticsPack.AddLinks(pack, read);
        Assert.Equal(links.OrderBy(l => l.Key), read.OrderBy(l => l.Key));

        StatisticsPack.AddLinks(PackLinks(new() { [("gateway", "orders")] = (1, 1), [("new", "one")] = (4, 0) }), read);
        Assert.Equal((13, 4), read[("gateway", "orders")]);
        Assert.Equal((4, 0), read[("new", "one")]);
        Assert.Equal(links.Count + 1, read.Count);

        // Each entry: its length, the parent's and the child's UTF-8 after theirs, calls, errors; so SQL can write one.
        var one = PackLinks(new() { [("é", "b")] = (1, 0) });
        Assert.Equal("0000001B" + "00000002C3A9" + "0000000162" + "0000000000000001" + "0000000000000000", Convert.ToHexString(one));
    }

    [Fact]
    public void AddLinks_ThrowsFormatExceptionNamingTheByte_WhenAPackIsCutShortOrLies()
    {
        var pack = PackLinks(SomeLinks());
        var ends = new HashSet<int>();
        for (var at = 0; at < pack.Length; at += 4 + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(pack.AsSpan(at)))
        {
            ends.Add(at);
        }
        Assert.Equal(SomeLinks().Count, ends.Count);
        for (var length = 1; length < pack.Length; length++)
        {
            if (ends.Contains(length))
            {
                continue;
            }
            var cut = pack[..length];
            var error = Assert.ThrowsAny<FormatException>(() => StatisticsPack.AddLinks(cut, []));
            Assert.Contains("byte", error.Message, StringComparison.Ordinal);
        }

        var one = PackLinks(new() { [("a", "b")] = (3, 1) });
        var longParent = (byte[])one.Clone();
        longParent[7] = 0x40;
        Assert.Contains("claims 64 bytes for its parent", Assert.Throws<FormatException>(() => StatisticsPack.AddLinks(longParent, [])).Message, StringComparison.Ordinal);
        var moreErrorsThanCalls = (byte[])one.Clone();
        moreErrorsThanCalls[^1] = 9;
        Assert.Contains("counts 3 calls and 9 errors", Assert.Throws<FormatException>(() => StatisticsPack.AddLinks(moreErrorsThanCalls, [])).Message, StringComparison.Ordinal);
        var lying = (byte[])one.Clone();
        lying[3] = 0x7F;
        Assert.Contains("claims", Assert.Throws<FormatException>(() => StatisticsPack.AddLinks(lying, [])).Message, StringComparison.Ordinal);
    }
}
