using DepMap.Core.Linking;
using DepMap.Core.Spans;

namespace DepMap.Core.Tests.Statistics;

/// <summary>Builds linker output directly, as the statistics see it.</summary>
internal static class Calls
{
    public const long Ms = 1_000_000;
    public const long T0 = 1_700_000_000_000_000_000;

    public static Call Rpc(string caller, string callee, long clientMs, long serverMs, string operation = "GET /", bool failed = false,
        ulong trace = 1, long startOffsetMs = 0) => new()
        {
            Caller = caller,
            Callee = callee,
            ClientDurationNano = clientMs * Ms,
            ServerDurationNano = serverMs * Ms,
            Operation = operation,
            Failed = failed,
            TraceId = new TraceId(0, trace),
            StartUnixNano = T0 + startOffsetMs * Ms,
        };

    public static Call Db(string caller, string database, long clientMs, string operation = "SELECT orders", bool failed = false, ulong trace = 1) => new()
    {
        Caller = caller,
        Callee = database,
        CalleeType = NodeType.Database,
        ConnectionType = ConnectionType.Database,
        ClientDurationNano = clientMs * Ms,
        Operation = operation,
        Failed = failed,
        TraceId = new TraceId(0, trace),
        StartUnixNano = T0,
    };

    public static LinkedTrace Trace(params Call[] calls) => new(calls, []);

    /// <summary>Seeded traffic over a small topology, with skewed latencies, failures and many operation names.</summary>
    public static List<LinkedTrace> Random(int traces, int seed, int operations = 8)
    {
        var random = new Random(seed);
        string[] services = ["gateway", "orders", "payments", "tracking"];
        var result = new List<LinkedTrace>();
        for (var t = 0; t < traces; t++)
        {
            var id = (ulong)random.NextInt64(1, long.MaxValue);
            var calls = new List<Call>();
            for (var c = 0; c < random.Next(1, 5); c++)
            {
                var caller = services[random.Next(services.Length)];
                var callee = services[random.Next(services.Length)];
                var server = (long)(Ms * Math.Exp(random.NextDouble() * 6));
                calls.Add(Rpc(caller, callee, server / Ms + random.Next(0, 3), server / Ms, $"op{random.Next(operations)}",
                    random.NextDouble() < 0.05, id, random.Next(0, 60_000)));
                if (random.NextDouble() < 0.3)
                {
                    calls.Add(Db(callee, "postgres", random.Next(0, 50), failed: random.NextDouble() < 0.02, trace: id));
                }
            }
            IReadOnlyList<UnnamedCall> unnamed = random.NextDouble() < 0.1 ? [new UnnamedCall("orders", false, T0)] : [];
            result.Add(new LinkedTrace(calls, unnamed));
        }
        return result;
    }

    /// <summary>Every count and sketch of the statistics, in a stable text form; exemplars and seen-times left out.</summary>
    public static string Fingerprint(DepMap.Core.Statistics.GraphStatistics statistics)
    {
        var lines = new List<string>();
        foreach (var edge in statistics.Edges.Values.OrderBy(e => e.Key))
        {
            var ops = string.Join(",", edge.Operations.Select(Op));
            lines.Add($"{edge.Key} calls={edge.CallCount} errors={edge.ErrorCount} "
                + $"client={Hex(edge.ClientLatency)} server={Hex(edge.ServerLatency)} queue={Hex(edge.QueueDelay)} "
                + $"ops=[{ops}] other={(edge.OtherOperations is { } o ? Op(o) : "-")}");
        }
        foreach (var node in statistics.Nodes.Values.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            lines.Add($"{node.Name} {Convert.ToHexString(node.Serialize())}");
        }
        return string.Join("\n", lines);

        static string Op(DepMap.Core.Statistics.OperationStatistics o) => $"{o.Name}:{o.CallCount}/{o.ErrorCount}/{Hex(o.Latency)}";
        static string Hex(DepMap.Core.Statistics.LatencySketch s) => Convert.ToHexString(s.Serialize());
    }
}
