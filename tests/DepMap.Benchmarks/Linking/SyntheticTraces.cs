using DepMap.Core.Spans;

namespace DepMap.Benchmarks.Linking;

/// <summary>
/// A synthetic topology: 50 services calling each other over RPC, their databases and a broker,
/// with 2% of spans failed. Every trace has exactly <see cref="SpansPerTrace"/> spans so the
/// benchmark can state its span count as a constant.
/// </summary>
internal static class SyntheticTraces
{
    public const int SpansPerTrace = 20;
    private const int Services = 50;

    public static Span[][] Generate(int traces, int seed) => [.. Stream(traces, seed)];

    /// <summary>The same traces one at a time, so a bench of ten million spans need not hold them all.</summary>
    public static IEnumerable<Span[]> Stream(int traces, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < traces; i++)
        {
            yield return Trace(random, (ulong)i + 1);
        }
    }

    private static Span[] Trace(Random random, ulong traceLow)
    {
        var traceId = new TraceId(0, traceLow * 0x9E3779B97F4A7C15);
        var spans = new List<Span>(SpansPerTrace);
        var start = 1_700_000_000_000_000_000L;
        ulong nextId = traceLow << 8;
        Span Add(SpanKind kind, string service, Span? parent, string name, Func<Span, Span>? with = null)
        {
            start += 1_000;
            var span = new Span
            {
                TraceId = traceId,
                SpanId = ++nextId,
                ParentId = parent?.SpanId ?? 0,
                Kind = kind,
                LocalService = service,
                Name = name,
                StartUnixNano = start,
                DurationNano = random.Next(1_000, 5_000_000),
                Error = random.NextDouble() < 0.02,
            };
            span = with is null ? span : with(span);
            spans.Add(span);
            return span;
        }

        var root = Add(SpanKind.Server, Service(random.Next(5)), null, "GET /");
        var servers = new Queue<Span>();
        servers.Enqueue(root);
        while (spans.Count < SpansPerTrace && servers.Count > 0)
        {
            var server = servers.Dequeue();
            var service = server.LocalService!;
            for (var op = random.Next(1, 4); op > 0 && spans.Count < SpansPerTrace; op--)
            {
                var roll = random.NextDouble();
                var room = SpansPerTrace - spans.Count >= 2;
                if (roll < 0.15)
                {
                    Add(SpanKind.Internal, service, server, "render");
                }
                else if (roll < 0.40 || !room)
                {
                    Add(SpanKind.Client, service, server, "SELECT items", s => s with { DbSystemName = "postgresql", DbNamespace = service + "-db" });
                }
                else if (roll < 0.50)
                {
                    var producer = Add(SpanKind.Producer, service, server, "orders publish", s => s with { MessagingSystem = "kafka", MessagingDestinationName = "orders" });
                    servers.Enqueue(Add(SpanKind.Consumer, Service(random.Next(Services)), producer, "orders process"));
                }
                else
                {
                    var client = Add(SpanKind.Client, service, server, "GET", s => s with { ServerAddress = "svc.local" });
                    servers.Enqueue(Add(SpanKind.Server, Service(random.Next(Services)), client, "GET /items/:id"));
                }
            }
        }
        while (spans.Count < SpansPerTrace)
        {
            Add(SpanKind.Internal, root.LocalService!, root, "serialize");
        }
        // Exporters report children before parents; the linker must not care.
        spans.Reverse();
        return [.. spans];
    }

    private static string Service(int i) => ServiceNames[i];

    private static readonly string[] ServiceNames = [.. Enumerable.Range(0, Services).Select(i => $"service-{i:00}")];
}
