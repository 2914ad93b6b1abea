using DepMap.Core.Graph;
using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using static DepMap.Core.Tests.Statistics.Calls;

namespace DepMap.Core.Tests.Graph;

public class ServiceGraphTests
{
    // user -> gateway -> orders <-> payments, orders -> postgres, gateway -> search (once).
    private static ServiceGraph Shop()
    {
        var statistics = new GraphStatistics();
        for (var i = 0; i < 10; i++)
        {
            statistics.Add(Trace(
                Rpc("user", "gateway", 50, 48) with { CallerType = NodeType.User },
                Rpc("gateway", "orders", 40, 38),
                Rpc("orders", "payments", 20, 18),
                Rpc("payments", "orders", 5, 4),
                Db("orders", "postgres", 3)));
        }
        statistics.Add(Trace(Rpc("gateway", "search", 9, 8)));
        return ServiceGraph.From(statistics);
    }

    private static string[] Names(ServiceGraph graph) => [.. graph.Nodes.Select(n => n.Name)];

    private static string[] EdgeNames(ServiceGraph graph) => [.. graph.Edges.Select(e => e.ToString())];

    [Fact]
    public void From_HasTypedNodesAndEdgesInOrdinalOrder_WhenBuiltFromStatistics()
    {
        var graph = Shop();

        Assert.Equal(["gateway", "orders", "payments", "postgres", "search", "user"], Names(graph));
        Assert.Equal(["gateway -> orders", "gateway -> search", "orders -> payments", "orders -> postgres", "payments -> orders", "user -> gateway"], EdgeNames(graph));
        Assert.Equal(NodeType.Database, graph.FindNode("postgres")?.Type);
        Assert.Equal(NodeType.User, graph.FindNode("user")?.Type);
        Assert.Equal(20, graph.FindNode("orders")?.Statistics.RequestsServed); // 10 from gateway, 10 from payments
        Assert.Equal(6, graph.Graph.EdgeCount);
    }

    [Fact]
    public void Cycles_FlagNodesAndEdgesOfStronglyConnectedComponents()
    {
        var graph = Shop();

        var cycle = Assert.Single(graph.Cycles);
        Assert.Equal(["orders", "payments"], cycle.Select(n => n.Name));
        Assert.Equal(["orders -> payments", "payments -> orders"], graph.Edges.Where(e => e.InCycle).Select(e => e.ToString()));
        Assert.Equal(["orders", "payments"], graph.Nodes.Where(n => n.InCycle).Select(n => n.Name));
    }

    [Fact]
    public void Cycles_FlagLoopback_WhenServiceCallsItself()
    {
        var graph = ServiceGraph.From(GraphStatistics.From(Trace(Rpc("a", "a", 2, 1), Rpc("a", "b", 2, 1))));

        Assert.Equal(["a"], graph.Cycles.Single().Select(n => n.Name));
        Assert.Equal(["a -> a"], graph.Edges.Where(e => e.InCycle).Select(e => e.ToString()));
        Assert.False(graph.FindNode("b")?.InCycle);
    }

    [Fact]
    public void Focus_KeepsCalleesWithinDepth_WhenDownstream()
    {
        var graph = Shop().Focus("gateway", depth: 1, FocusDirection.Downstream);

        Assert.Equal(["gateway", "orders", "search"], Names(graph));
        Assert.Equal(["gateway -> orders", "gateway -> search"], EdgeNames(graph));
        Assert.Empty(graph.Cycles);
    }

    [Fact]
    public void Focus_KeepsCallers_WhenUpstream()
    {
        var graph = Shop().Focus("orders", depth: 2, FocusDirection.Upstream);

        Assert.Equal(["gateway", "orders", "payments", "user"], Names(graph));
        Assert.DoesNotContain("orders -> postgres", EdgeNames(graph));
        Assert.Contains("orders -> payments", EdgeNames(graph)); // an edge among kept nodes stays
    }

    [Fact]
    public void Focus_WalksEachDirectionSeparately_WhenBoth()
    {
        var graph = Shop().Focus("orders", depth: 1);

        // search is gateway's callee: reached up then down, so it is a sibling, not a neighbour.
        Assert.Equal(["gateway", "orders", "payments", "postgres"], Names(graph));
    }

    [Fact]
    public void Focus_GivesEmptyGraph_WhenServiceIsUnknown()
    {
        var graph = Shop().Focus("nope", depth: 3);

        Assert.Empty(graph.Nodes);
        Assert.Empty(graph.Edges);
    }

    [Fact]
    public void HideEdgesUnder_DropsQuietEdgesAndTheirOrphans()
    {
        var graph = Shop().HideEdgesUnder(2);

        Assert.DoesNotContain("search", Names(graph));
        Assert.DoesNotContain("gateway -> search", EdgeNames(graph));
        Assert.Equal(5, graph.Edges.Count);
    }

    [Fact]
    public void Views_KeepHealth_WhenNodesWereAssessed()
    {
        var graph = Shop();
        graph.FindNode("orders")!.Health = NodeHealth.Failing;

        var focused = graph.Focus("gateway", 2, FocusDirection.Downstream).HideEdgesUnder(1);

        Assert.Equal(NodeHealth.Failing, focused.FindNode("orders")?.Health);
        Assert.Null(focused.FindNode("gateway")?.Health);
    }

    [Fact]
    public void KeepBusiestEdges_KeepsTopEdgesAndTheirNodes_WhenTrafficTies()
    {
        var graph = Shop().KeepBusiestEdges(2);

        // Five edges tie at 10 calls: ordinal order of caller, callee breaks the tie.
        Assert.Equal(["gateway -> orders", "orders -> payments"], EdgeNames(graph));
        Assert.Equal(["gateway", "orders", "payments"], Names(graph));
    }
    [Fact]
    public void GroupByNamespace_SumsMembersAndDropsInnerCalls_WhenServicesShareANamespace()
    {
        var statistics = new GraphStatistics();
        for (var i = 0; i < 4; i++)
        {
            statistics.Add(Trace(
                Rpc("user", "web", 50, 48) with { CallerType = NodeType.User, CalleeNamespace = "shop" },
                Rpc("web", "cart", 40, 38, failed: i == 0) with { CallerNamespace = "shop", CalleeNamespace = "shop" },
                Rpc("cart", "ledger", 20, 18) with { CallerNamespace = "shop", CalleeNamespace = "money" },
                Rpc("web", "ledger", 10, 9) with { CallerNamespace = "shop", CalleeNamespace = "money" },
                Db("ledger", "postgres", 3) with { CallerNamespace = "money" }));
        }
        var graph = ServiceGraph.From(statistics);
        graph.FindNode("ledger")!.Health = NodeHealth.Failing;

        var grouped = graph.GroupByNamespace();

        Assert.Equal(["money", "postgres", "shop", "user"], Names(grouped));
        Assert.Equal(["money -> postgres", "shop -> money", "user -> shop"], EdgeNames(grouped));
        Assert.Equal(8, grouped.Edges.Single(e => e.ToString() == "shop -> money").Statistics.CallCount);
        Assert.Equal(8, grouped.FindNode("shop")!.Statistics.RequestsServed); // 4 from user, 4 from web to cart
        Assert.Equal(NodeHealth.Failing, grouped.FindNode("money")!.Health);
    }
}
