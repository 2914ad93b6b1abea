using DepMap.Core.Linking;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;

namespace DepMap.Benchmarks.Rendering;

/// <summary>
/// Window statistics of synthetic systems, built from calls as the aggregation builds them (every
/// edge with latencies, operations and 2% errors), seeded so every run draws the same graph.
/// </summary>
internal static class SyntheticGraphs
{
    private const int CallsPerEdge = 20;

    /// <summary>
    /// A layered system as most are: gateways called by users, tiers of services each calling two
    /// or three services of the next tiers, half of them with a database, and one call in fifty
    /// going back up a tier (a cycle), about 3.5 edges per service.
    /// </summary>
    public static GraphStatistics Layered(int services, int seed)
    {
        var random = new Random(seed);
        var width = Math.Max(3, (int)Math.Sqrt(services));
        var calls = new List<Call>();
        for (var i = 0; i < services; i++)
        {
            var tier = i / width;
            if (tier == 0)
            {
                AddEdge(calls, random, "user", Service(i), NodeType.User, ConnectionType.None);
            }
            var targets = random.Next(2, 4);
            for (var t = 0; t < targets; t++)
            {
                var next = (tier + 1) * width + random.Next(width * 2);
                if (next < services)
                {
                    AddEdge(calls, random, Service(i), Service(next), NodeType.Service, ConnectionType.None);
                }
            }
            if (tier > 0 && random.Next(50) == 0)
            {
                AddEdge(calls, random, Service(i), Service(random.Next(tier * width)), NodeType.Service, ConnectionType.None);
            }
            if (random.Next(2) == 0)
            {
                AddEdge(calls, random, Service(i), Service(i) + "-db", NodeType.Database, ConnectionType.Database);
            }
        }
        return Statistics(calls);
    }

    /// <summary>
    /// The load generator's topology: every service calls the next one to three in a ring, so the
    /// whole system is one strongly connected component, the hardest case for dot.
    /// </summary>
    public static GraphStatistics Ring(int services, int seed)
    {
        var random = new Random(seed);
        var calls = new List<Call>();
        for (var i = 0; i < services; i++)
        {
            for (var hop = 1; hop <= 3; hop++)
            {
                AddEdge(calls, random, Service(i), Service((i + hop) % services), NodeType.Service, ConnectionType.None);
            }
        }
        return Statistics(calls);
    }

    private static string Service(int i) => $"svc-{i:D4}";

    private static void AddEdge(List<Call> calls, Random random, string caller, string callee, NodeType calleeType, ConnectionType type)
    {
        for (var c = 0; c < CallsPerEdge; c++)
        {
            var server = type == ConnectionType.None ? random.Next(1_000_000, 50_000_000) : (long?)null;
            calls.Add(new Call
            {
                Caller = caller,
                CallerType = caller == "user" ? NodeType.User : NodeType.Service,
                Callee = callee,
                CalleeType = calleeType,
                ConnectionType = type,
                Failed = random.Next(50) == 0,
                ClientDurationNano = caller == "user" ? null : (server ?? 0) + random.Next(100_000, 5_000_000),
                ServerDurationNano = server,
                Operation = $"GET /{callee}/{random.Next(3)}",
                StartUnixNano = 1_735_689_600_000_000_000L + c * 1_000_000_000L,
                TraceId = new TraceId(0, (ulong)random.NextInt64(1, long.MaxValue)),
            });
        }
    }

    private static GraphStatistics Statistics(List<Call> calls)
    {
        var statistics = new GraphStatistics();
        statistics.Add(new LinkedTrace(calls, []));
        return statistics;
    }
}
