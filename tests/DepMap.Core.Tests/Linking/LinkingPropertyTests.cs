using CsCheck;
using DepMap.Core.Graph;
using DepMap.Core.Linking;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;
using DepMap.Core.Writers;

namespace DepMap.Core.Tests.Linking;

/// <summary>
/// Invariants of linking that hold for every input, checked on random traces: trees of every span
/// kind with missing parents, empty and absent names, peers named by attributes, and messaging
/// links within and across traces. The seed is fixed so a run in CI is repeatable; a failure
/// prints the seed that reproduces it.
/// </summary>
public class LinkingPropertyTests
{
    private const long Millisecond = 1_000_000;
    private static readonly string Seed = new PCG(7, 2026).ToString();
    private static readonly string?[] Services = ["api", "Orders", "orders", "mail", "", null];
    private static readonly string?[] Peers = ["peer-db", "Peer-Api", "", null];

    /// <summary>A few traces of random spans, built from a seed so CsCheck can generate and print them.</summary>
    private static readonly Gen<List<Span>> Traces = Gen.Int[0, int.MaxValue].Select(Build);

    [Fact]
    public void ZipkinLinks_AreASubsetOfDepMapEdgesByServicePair_ForRandomTraces() =>
        Traces.Sample(spans =>
        {
            var depMap = Pairs(TraceLinker.LinkAll(spans, LinkerOptions.DepMap));
            // Zipkin links a server to a nested server of its own service; DepMap draws a self
            // edge only for a loopback RPC (docs/linking.md, "Self edges"): self links aside.
            return Pairs(TraceLinker.LinkAll(spans, LinkerOptions.Zipkin)).Where(p => p.Caller != p.Callee).All(depMap.Contains);
        }, seed: Seed, iter: 2000, threads: 1);

    [Fact]
    public void DepMapEdges_HaveNoSelfEdge_WhenNoClientOfTheServiceIsAnsweredByAServerOfItsOwn() =>
        Traces.Sample(spans => TraceLinker.LinkAll(spans, LinkerOptions.DepMap).SelectMany(t => t.Calls)
            .Where(c => c.Caller == c.Callee).All(c => HasLoopback(spans, c.Caller)), seed: Seed, iter: 2000, threads: 1, print: Print);

    [Fact]
    public void Statistics_AreTheSame_WhenTheSpansComeInAnyOrderOrSomeTwice() =>
        Gen.Select(Traces, Gen.Int[0, int.MaxValue]).Sample((spans, shuffle) =>
        {
            var random = new Random(shuffle);
            var shuffled = spans.OrderBy(_ => random.Next()).ToList();
            var twice = shuffled.Concat(shuffled.Where(_ => random.Next(3) == 0)).OrderBy(_ => random.Next()).ToList();
            var expected = Statistics(spans);
            return Statistics(shuffled) == expected && Statistics(twice) == expected;
        }, seed: Seed, iter: 1000, threads: 1);

    /// <summary>The DepMap view of all spans together (as the CLI links its input files), written without times or exemplars.</summary>
    internal static string Statistics(IEnumerable<Span> spans)
    {
        var statistics = new GraphStatistics();
        foreach (var trace in TraceLinker.LinkAll(spans, LinkerOptions.DepMap))
        {
            statistics.Add(trace);
        }
        return JsonGraphWriter.Write(ServiceGraph.From(statistics), new JsonGraphWriterOptions { IncludeTimesAndExemplars = false });
    }

    private static HashSet<(string Caller, string Callee)> Pairs(IEnumerable<LinkedTrace> traces) =>
        [.. traces.SelectMany(t => t.Calls).Select(c => (c.Caller.ToLowerInvariant(), c.Callee.ToLowerInvariant()))];

    /// <summary>
    /// A SERVER of <paramref name="service"/> whose nearest ancestor that is not INTERNAL or kind-less
    /// is a CLIENT (or a PRODUCER used as one) of it. As in Zipkin's tree, a span whose parent was
    /// not reported, and every parentless span but the first by id, hangs under that first one.
    /// </summary>
    private static bool HasLoopback(List<Span> spans, string service)
    {
        foreach (var server in spans.Where(s => s.Kind == SpanKind.Server && s.LocalService == service))
        {
            var trace = spans.Where(s => s.TraceId.Low == server.TraceId.Low).ToList();
            var root = trace.Where(s => s.ParentId == 0).OrderBy(s => s.SpanId).FirstOrDefault();
            var current = server;
            for (var hops = 0; hops <= trace.Count; hops++)
            {
                var ancestor = current == root ? null
                    : trace.Where(s => current.ParentId != 0 && s.SpanId == current.ParentId).OrderBy(s => s.Kind == SpanKind.Server ? 1 : 0).FirstOrDefault() ?? root;
                if (ancestor is null || ancestor == current || ancestor.Kind is SpanKind.Server or SpanKind.Consumer)
                {
                    break;
                }
                if (ancestor.Kind is SpanKind.Client or SpanKind.Producer)
                {
                    if (ancestor.LocalService == service)
                    {
                        return true;
                    }
                    break;
                }
                current = ancestor;
            }
        }
        return false;
    }

    private static List<Span> Build(int seed)
    {
        var random = new Random(seed);
        var traceCount = random.Next(1, 4);
        var spans = new List<Span>();
        for (var t = 1; t <= traceCount; t++)
        {
            var count = random.Next(1, 9);
            for (var i = 1; i <= count; i++)
            {
                var kind = (SpanKind)random.Next(0, 6);
                var parent = i == 1 || random.Next(8) == 0 ? (random.Next(4) == 0 ? 0xdeadUL : 0) : (ulong)random.Next(1, i);
                var links = kind == SpanKind.Consumer && random.Next(2) == 0
                    ? new[] { new SpanLink(new TraceId(0, (ulong)random.Next(1, traceCount + 2)), (ulong)random.Next(1, 9)) }
                    : [];
                spans.Add(new Span
                {
                    TraceId = new TraceId(0, (ulong)t),
                    SpanId = (ulong)i,
                    ParentId = parent == 0 ? 0 : parent,
                    Kind = kind,
                    LocalService = Pick(random, Services),
                    Name = $"op{random.Next(3)}",
                    StartUnixNano = (1_700_000_000_000 + random.Next(0, 100)) * Millisecond,
                    DurationNano = random.Next(1, 50) * Millisecond,
                    Error = random.Next(5) == 0,
                    Links = links,
                    PeerService = random.Next(3) == 0 ? Pick(random, Peers) : null,
                    NetworkPeerAddress = random.Next(4) == 0 ? "10.0.0.1" : null,
                    NetworkPeerPort = random.Next(2) == 0 ? 5432 : null,
                    DbName = random.Next(4) == 0 ? "ledger" : null,
                    MessagingSystem = kind is SpanKind.Producer or SpanKind.Consumer && random.Next(2) == 0 ? "kafka" : null,
                    NetPeerName = random.Next(5) == 0 ? "old-host" : null,
                });
            }
        }
        return spans;
    }

    /// <summary>A failing input, one span a line: trace/span &lt;- parent, kind, service, peer attributes, links.</summary>
    private static string Print(List<Span> spans) => "\n" + string.Join("\n", spans.Select(s =>
        $"{s.TraceId.Low}/{s.SpanId} <- {s.ParentId:x} {s.Kind} '{s.LocalService}' peer.service='{s.PeerService}' messaging={s.MessagingSystem} links=[{string.Join(",", s.Links.Select(l => $"{l.TraceId.Low}/{l.SpanId}"))}]"));

    private static string? Pick(Random random, string?[] values) => values[random.Next(values.Length)];
}
