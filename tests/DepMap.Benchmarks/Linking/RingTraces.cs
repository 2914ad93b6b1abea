using DepMap.Core.Spans;

namespace DepMap.Benchmarks.Linking;

/// <summary>
/// The load generator's topology (tests/DepMap.LoadTest/SyntheticTopology.cs) as spans: services in a
/// ring each calling one of the next three, traces of four calls (a CLIENT and a SERVER span each,
/// eight spans), 2% of calls failing. A sparse graph, as real systems are, unlike the full mesh of
/// <see cref="SyntheticTraces"/>. Seeded.
/// </summary>
internal static class RingTraces
{
    public const int SpansPerTrace = 8;

    public static Span[][] Generate(int traces, int services, int seed) => [.. Stream(traces, services, seed)];

    /// <summary>The same traces one at a time, so a bench of ten million spans need not hold them all.</summary>
    public static IEnumerable<Span[]> Stream(int traces, int services, int seed)
    {
        var random = new Random(seed);
        var names = Enumerable.Range(0, services).Select(i => $"svc-{i}").ToArray();
        for (var t = 0; t < traces; t++)
        {
            var traceId = new TraceId((ulong)random.NextInt64(), (ulong)random.NextInt64());
            var spans = new Span[SpansPerTrace];
            var caller = random.Next(services);
            ulong parent = 0;
            var start = 1_700_000_000_000_000_000L + random.NextInt64(1_000_000_000);
            for (var hop = 0; hop < 4; hop++)
            {
                var callee = (caller + 1 + random.Next(3)) % services;
                var failed = random.Next(100) < 2;
                var duration = random.Next(100_000, 50_000_000);
                var clientId = (ulong)random.NextInt64(1, long.MaxValue);
                var serverId = (ulong)random.NextInt64(1, long.MaxValue);
                var name = $"GET /svc-{callee}";
                spans[hop * 2] = new Span
                {
                    TraceId = traceId,
                    SpanId = clientId,
                    ParentId = parent,
                    Kind = SpanKind.Client,
                    LocalService = names[caller],
                    Name = name,
                    StartUnixNano = start,
                    DurationNano = duration + 200_000,
                    Error = failed,
                    PeerService = names[callee],
                    ServerAddress = $"10.0.{random.Next(256)}.{random.Next(256)}",
                    ServerPort = 8080,
                    HttpResponseStatusCode = failed ? 500 : 200,
                };
                spans[(hop * 2) + 1] = new Span
                {
                    TraceId = traceId,
                    SpanId = serverId,
                    ParentId = clientId,
                    Kind = SpanKind.Server,
                    LocalService = names[callee],
                    Name = name,
                    StartUnixNano = start + 100_000,
                    DurationNano = duration,
                    Error = failed,
                    HttpResponseStatusCode = failed ? 500 : 200,
                };
                parent = serverId;
                caller = callee;
                start += 100_000 + (duration / 10);
            }
            yield return spans;
        }
    }
}
