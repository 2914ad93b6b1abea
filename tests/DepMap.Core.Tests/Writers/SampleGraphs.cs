using DepMap.Core.Graph;
using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using static DepMap.Core.Tests.Statistics.Calls;

namespace DepMap.Core.Tests.Writers;

internal static class SampleGraphs
{
    /// <summary>
    /// The docs example: a user calls logistics (shop namespace), which calls tracking (shop) and
    /// its own database; tracking queries its database. 10 traces, one failing tracking call.
    /// </summary>
    public static List<LinkedTrace> LogisticsTraces() =>
    [
        .. Enumerable.Range(1, 10).Select(i => Trace(
            Rpc("user", "logistics", 80, 80, "GET /shipment/:id", trace: (ulong)i) with { CallerType = NodeType.User, CalleeNamespace = "shop", ClientDurationNano = null },
            Rpc("logistics", "tracking", 40, 40, "GET /tracking/:id", failed: i == 3, trace: (ulong)i) with { CallerNamespace = "shop", CalleeNamespace = "shop" },
            Db("logistics", "logistics-db", 30, "SELECT shipments", trace: (ulong)i) with { CallerNamespace = "shop" },
            Db("tracking", "tracking-db", 20, "SELECT events", trace: (ulong)i) with { CallerNamespace = "shop" })),
    ];

    public static ServiceGraph Logistics(bool reversed = false)
    {
        var statistics = new GraphStatistics();
        var traces = LogisticsTraces();
        if (reversed)
        {
            traces.Reverse();
        }
        traces.ForEach(statistics.Add);
        return ServiceGraph.From(statistics);
    }

    public static readonly string[] HostileNames =
    [
        "quote\"d",
        "back\\slash\\N\\G",
        "new\nline\r\nwindows",
        "<b>html</b> &amp; <script>alert(1)</script>",
        "unicode 日本語 🚀 café",
        "digraph { a -> b }",
        "label=\"x\"]; evil [shape=box",
        "tab\tcontrol\u0001\u007f\u0085",
        "lone \ud800 surrogate",
        "pipes | and ] brackets [ and {braces}",
        "#35; entity ;",
        "",
        "trailing backslash \\",
        "%% mermaid comment",
        "subgraph end",
    ];

    /// <summary>A ring and a star of hostile names, with a namespace that is hostile too.</summary>
    public static ServiceGraph Hostile()
    {
        var calls = new List<Call>();
        for (var i = 0; i < HostileNames.Length; i++)
        {
            var next = HostileNames[(i + 1) % HostileNames.Length];
            calls.Add(Rpc(HostileNames[i], next, 5 + i, 4 + i, operation: HostileNames[i], failed: i % 4 == 0)
                with
            { CallerNamespace = i % 3 == 0 ? "ns \"</x>\\" : null, CalleeType = (NodeType)(i % 5) });
        }
        return ServiceGraph.From(GraphStatistics.From(Trace([.. calls])));
    }
}
