using DepMap.Core.Graph;
using DepMap.Core.Linking;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;

namespace DepMap.Rendering.Tests;

internal static class TestGraphs
{
    private const long Ms = 1_000_000;

    public static Call Rpc(string caller, string callee, long ms, NodeType calleeType = NodeType.Service, string? callerNamespace = null) => new()
    {
        Caller = caller,
        Callee = callee,
        CalleeType = calleeType,
        CallerNamespace = callerNamespace,
        ConnectionType = calleeType == NodeType.Database ? ConnectionType.Database : ConnectionType.None,
        ClientDurationNano = ms * Ms,
        ServerDurationNano = calleeType == NodeType.Service ? (ms - 1) * Ms : null,
        Operation = "op",
        TraceId = new TraceId(0, 1),
        StartUnixNano = 1_700_000_000_000_000_000,
    };

    public static ServiceGraph Of(params Call[] calls) => ServiceGraph.From(GraphStatistics.From(new LinkedTrace(calls, [])));

    /// <summary>Every node calls six random others: dense, cyclic, the kind of graph dot cannot finish.</summary>
    public static ServiceGraph DenseRandom(int nodes, int seed)
    {
        var random = new Random(seed);
        var calls = new List<Call>();
        for (var i = 0; i < nodes; i++)
        {
            for (var e = 0; e < 6; e++)
            {
                var call = Rpc($"svc-{i}", $"svc-{random.Next(nodes)}", random.Next(2, 200));
                calls.AddRange(Enumerable.Repeat(call, random.Next(1, 4)));
            }
        }
        return Of([.. calls]);
    }

    /// <summary>The load generator's topology: each service calls the next three round a ring, one strongly connected component.</summary>
    public static ServiceGraph Ring(int services) =>
        Of([.. Enumerable.Range(0, services).SelectMany(i => Enumerable.Range(1, 3).Select(hop => Rpc($"svc-{i}", $"svc-{(i + hop) % services}", 10 + hop)))]);

    /// <summary>Tiers of five services, each calling two of the next tier: acyclic, as most systems are.</summary>
    public static ServiceGraph Tiers(int tiers) =>
        Of([.. Enumerable.Range(0, (tiers - 1) * 5).SelectMany(i => new[] { Rpc($"svc-{i}", $"svc-{((i / 5) + 1) * 5 + (i % 5)}", 20), Rpc($"svc-{i}", $"svc-{((i / 5) + 1) * 5 + ((i + 2) % 5)}", 30) })]);

    public static readonly string[] HostileNames =
    [
        "quote\"d",
        "back\\slash\\N\\G",
        "new\nline",
        "<b>html</b> &amp; <script>alert(1)</script>",
        "unicode 日本語 🚀 café",
        "label=\"x\"]; evil [shape=box",
        "control\u0001\u007f",
        "trailing backslash \\",
        "",
    ];
}
