using DepMap.Core.Statistics;
using static DepMap.Core.Tests.Statistics.Calls;

namespace DepMap.Core.Tests.Statistics;

public class StatisticsSerializationTests
{
    [Fact]
    public void EdgeDeserialize_GivesBackSameStatistics_WhenBytesCameFromSerialize()
    {
        var statistics = new GraphStatistics();
        Calls.Random(300, seed: 21, operations: 40).ForEach(statistics.Add);

        foreach (var edge in statistics.Edges.Values)
        {
            var bytes = edge.Serialize();
            var copy = EdgeStatistics.Deserialize(bytes);

            Assert.Equal(bytes, copy.Serialize());
            Assert.Equal((edge.Key, edge.CallCount, edge.SlowestCall, edge.LastSeen), (copy.Key, copy.CallCount, copy.SlowestCall, copy.LastSeen));
        }
    }

    [Fact]
    public void NodeDeserialize_GivesBackSameStatistics_WhenBytesCameFromSerialize()
    {
        var statistics = new GraphStatistics();
        Calls.Random(100, seed: 22).ForEach(statistics.Add);

        foreach (var node in statistics.Nodes.Values)
        {
            var bytes = node.Serialize();
            Assert.Equal(bytes, NodeStatistics.Deserialize(bytes).Serialize());
        }
    }

    [Fact]
    public void EdgeSerialize_StaysCompact_WhenMinuteHasThousandsOfCalls()
    {
        var statistics = new GraphStatistics();
        Calls.Random(5_000, seed: 23).ForEach(statistics.Add);

        var largest = statistics.Edges.Values.Max(e => e.Serialize().Length);

        // Three sketches and eight operation sketches over a 400x latency range.
        Assert.True(largest < 8_000, $"largest edge blob is {largest} bytes");
    }

    [Fact]
    public void Deserialize_ThrowsFormatExceptionNamingOffset_WhenBytesAreCorrupt()
    {
        var edge = GraphStatistics.From(Trace(Rpc("a", "b", 3, 2))).Edges.Values.Single().Serialize();
        var node = GraphStatistics.From(Trace(Rpc("a", "b", 3, 2))).Nodes["b"].Serialize();
        var badType = (byte[])edge.Clone();
        badType[5] = 77; // version, "a" (2 bytes), "b" (2 bytes), then the connection type

        Assert.Contains("edge statistics: unknown connection type 77 at byte 5",
            Assert.Throws<FormatException>(() => EdgeStatistics.Deserialize(badType)).Message);
        Assert.Contains("unexpected end of data",
            Assert.Throws<FormatException>(() => EdgeStatistics.Deserialize(edge.AsSpan(0, edge.Length - 2))).Message);
        Assert.Contains("node statistics: 1 unexpected trailing bytes",
            Assert.Throws<FormatException>(() => NodeStatistics.Deserialize([.. node, 0])).Message);
    }

    [Fact]
    public void Deserialize_ThrowsOnlyFormatException_WhenBytesAreMutated()
    {
        var statistics = new GraphStatistics();
        Calls.Random(50, seed: 24).ForEach(statistics.Add);
        var blobs = statistics.Edges.Values.Select(e => e.Serialize()).ToList();
        var random = new Random(25);
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = (byte[])blobs[i % blobs.Count].Clone();
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            try
            {
                EdgeStatistics.Deserialize(bytes.AsSpan(0, random.Next(bytes.Length + 1)));
            }
            catch (FormatException)
            {
            }
        }
    }
}
