using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using static DepMap.Core.Tests.Statistics.Calls;

namespace DepMap.Core.Tests.Diff;

/// <summary>
/// Two windows of the logistics example. The head window: tracking fails 4 calls in 10 instead of
/// 1 (+30 points), logistics-db answers in 90 ms instead of 30 (p99 +200%), tracking stopped
/// querying tracking-db, and logistics calls a new inventory service; user -> logistics is unchanged.
/// </summary>
internal static class DiffTraffic
{
    public static List<LinkedTrace> Base(long shiftMs = 0) =>
    [
        .. Enumerable.Range(1, 10).Select(i => Trace(
            Rpc("user", "logistics", 80, 80, "GET /shipment/:id", trace: (ulong)i, startOffsetMs: shiftMs) with { CallerType = NodeType.User, ClientDurationNano = null },
            Rpc("logistics", "tracking", 40, 40, "GET /tracking/:id", failed: i == 3, trace: (ulong)i, startOffsetMs: shiftMs),
            Db("logistics", "logistics-db", 30, "SELECT shipments", trace: (ulong)i),
            Db("tracking", "tracking-db", 20, "SELECT events", trace: (ulong)i))),
    ];

    public static List<LinkedTrace> Head() =>
    [
        .. Enumerable.Range(101, 10).Select(i => Trace(
            Rpc("user", "logistics", 80, 80, "GET /shipment/:id", trace: (ulong)i) with { CallerType = NodeType.User, ClientDurationNano = null },
            Rpc("logistics", "tracking", 40, 40, "GET /tracking/:id", failed: i % 10 < 4, trace: (ulong)i),
            Db("logistics", "logistics-db", 90, "SELECT shipments", trace: (ulong)i),
            Rpc("logistics", "inventory", 15, 12, "GET /stock/:sku", trace: (ulong)i))),
    ];

    public static GraphStatistics Statistics(IEnumerable<LinkedTrace> traces)
    {
        var statistics = new GraphStatistics();
        foreach (var trace in traces)
        {
            statistics.Add(trace);
        }
        return statistics;
    }
}
