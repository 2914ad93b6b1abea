using DepMap.Core.Linking;
using DepMap.Core.Statistics;

namespace DepMap.Core.Tests.Statistics;

public class EntryNodeTests
{
    private static GraphStatistics WithEntryTraffic()
    {
        var entry = Calls.Rpc("user", "gateway", 0, 40) with { CallerType = NodeType.User, ConnectionType = ConnectionType.VirtualNode, ClientDurationNano = null };
        return GraphStatistics.From(Calls.Trace(entry, Calls.Rpc("gateway", "orders", 30, 25), Calls.Db("orders", "orders-db", 5)));
    }

    [Fact]
    public void WithEntryNode_RenamesTheEntryNodeAndItsEdges_WhenGivenAnotherName()
    {
        var original = WithEntryTraffic();

        var renamed = original.WithEntryNode("internet");

        Assert.DoesNotContain("user", renamed.Nodes.Keys);
        Assert.Equal(NodeType.User, renamed.Nodes["internet"].Type);
        var edge = renamed.Edges[new EdgeKey("internet", "gateway", ConnectionType.VirtualNode)];
        Assert.Equal(1, edge.CallCount);
        Assert.Equal(
            original.Edges[new EdgeKey("user", "gateway", ConnectionType.VirtualNode)].ServerLatency.Serialize(),
            edge.ServerLatency.Serialize());
        Assert.Equal(3, renamed.Edges.Count);
    }

    [Fact]
    public void WithEntryNode_DropsTheEntryNodeAndItsEdges_WhenTurnedOff()
    {
        var off = WithEntryTraffic().WithEntryNode(null);

        Assert.DoesNotContain("user", off.Nodes.Keys);
        Assert.DoesNotContain(off.Edges.Keys, key => key.Caller == "user");
        Assert.Equal(2, off.Edges.Count);
        Assert.Equal(1, off.Nodes["gateway"].CallsMade);
    }

    [Fact]
    public void WithEntryNode_KeepsAServiceNamedUser_WhenItReportsSpans()
    {
        // Only the linker's entry node (typed User) is renamed: a real service called "user" stays.
        var statistics = GraphStatistics.From(Calls.Trace(Calls.Rpc("user", "gateway", 10, 8)));

        var renamed = statistics.WithEntryNode("internet");

        Assert.Contains("user", renamed.Nodes.Keys);
        Assert.DoesNotContain("internet", renamed.Nodes.Keys);
    }
}
