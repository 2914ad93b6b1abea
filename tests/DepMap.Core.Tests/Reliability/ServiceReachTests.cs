using DepMap.Core.Reliability;

namespace DepMap.Core.Tests.Reliability;

public class ServiceReachTests
{
    // gateway -> orders -> payments -> ledger -> orders (a cycle of three), ledger -> ledger-db,
    // gateway -> users -> users-db, and a loopback users -> users.
    private static readonly (string, string)[] Edges =
    [
        ("gateway", "orders"), ("orders", "payments"), ("payments", "ledger"), ("ledger", "orders"),
        ("ledger", "ledger-db"), ("gateway", "users"), ("users", "users-db"), ("users", "users"),
    ];

    [Fact]
    public void BlastRadius_IncludesEveryTransitiveDependentOnceAndNotItself_WhenOnACycle()
    {
        var reach = ServiceReach.Compute(Edges);

        Assert.Equal(["gateway", "ledger", "payments"], reach.BlastRadius("orders"));
        Assert.Equal(["gateway", "orders", "payments"], reach.BlastRadius("ledger"));
        Assert.Equal(["gateway", "ledger", "orders", "payments"], reach.BlastRadius("ledger-db"));
    }

    [Fact]
    public void BlastRadius_IgnoresLoopbackAndIsEmptyForTheEntry()
    {
        var reach = ServiceReach.Compute(Edges);

        Assert.Equal(["gateway"], reach.BlastRadius("users"));
        Assert.Equal(["gateway", "users"], reach.BlastRadius("users-db"));
        Assert.Empty(reach.BlastRadius("gateway"));
        Assert.Empty(reach.BlastRadius("unknown"));
    }

    [Fact]
    public void InCycle_FlagsComponentMembersAndLoopbacks_Only()
    {
        var reach = ServiceReach.Compute(Edges);

        Assert.Equal(["ledger", "orders", "payments", "users"],
            reach.Nodes.Where(reach.InCycle).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void BlastRadius_MatchesBruteForceReverseReachability_OnRandomGraphs()
    {
        var random = new Random(7);
        for (var round = 0; round < 20; round++)
        {
            var edges = Enumerable.Range(0, 40)
                .Select(_ => ($"s{random.Next(15)}", $"s{random.Next(15)}"))
                .ToList();

            var reach = ServiceReach.Compute(edges);

            foreach (var node in reach.Nodes)
            {
                Assert.Equal(ReverseReachable(edges, node), reach.BlastRadius(node));
            }
        }
    }

    private static List<string> ReverseReachable(List<(string Caller, string Callee)> edges, string node)
    {
        var seen = new HashSet<string> { node };
        var pending = new Queue<string>([node]);
        while (pending.TryDequeue(out var current))
        {
            foreach (var (caller, _) in edges.Where(edge => edge.Callee == current))
            {
                if (seen.Add(caller))
                {
                    pending.Enqueue(caller);
                }
            }
        }
        seen.Remove(node);
        return [.. seen.Order(StringComparer.Ordinal)];
    }
}
