using DepMap.Core.Linking;
using DepMap.Core.Snapshots;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;

namespace DepMap.Cli.Tests;

/// <summary>
/// The logistics example as linker output, and variants of it: a new dependency
/// (logistics -> inventory), a dropped one (tracking -> tracking-db), and a regression
/// (tracking fails 4 calls in 10 instead of 1).
/// </summary>
internal static class Traffic
{
    private const long Ms = 1_000_000;

    public static Snapshot Snapshot(bool addEdge = false, bool removeEdge = false, bool regress = false, string? label = null)
    {
        var statistics = new GraphStatistics();
        for (var i = 1; i <= 10; i++)
        {
            var calls = new List<Call>
            {
                Rpc("user", "logistics", 80, i) with { CallerType = NodeType.User, ClientDurationNano = null },
                Rpc("logistics", "tracking", 40, i) with { Failed = regress ? i % 10 < 4 : i == 3 },
                Rpc("logistics", "logistics-db", 30, i) with { CalleeType = NodeType.Database, ConnectionType = ConnectionType.Database, ServerDurationNano = null },
            };
            if (!removeEdge)
            {
                calls.Add(Rpc("tracking", "tracking-db", 20, i) with { CalleeType = NodeType.Database, ConnectionType = ConnectionType.Database, ServerDurationNano = null });
            }
            if (addEdge)
            {
                calls.Add(Rpc("logistics", "inventory", 15, i));
            }
            statistics.Add(new LinkedTrace(calls, []));
        }
        return Core.Snapshots.Snapshot.Of(statistics, TimeSpan.FromHours(1), label);
    }

    public static string WriteFile(string directory, string name, Snapshot snapshot)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, SnapshotJson.WriteUtf8(snapshot));
        return path;
    }

    private static Call Rpc(string caller, string callee, long ms, int trace) => new()
    {
        Caller = caller,
        Callee = callee,
        ClientDurationNano = ms * Ms,
        ServerDurationNano = ms * Ms,
        Operation = "op",
        TraceId = new TraceId(0, (ulong)trace),
        StartUnixNano = 1_700_000_000_000_000_000,
    };
}
