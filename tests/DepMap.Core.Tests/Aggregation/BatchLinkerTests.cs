using DepMap.Core.Aggregation;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;

namespace DepMap.Core.Tests.Aggregation;

/// <summary>
/// The batch rules without a database: whichever batch a trace or a late span arrives in, the
/// changes of the batches add up to the change of one batch that saw every span at once.
/// </summary>
public class BatchLinkerTests
{
    [Theory]
    [InlineData("both at once")]
    [InlineData("consumer first")]
    [InlineData("producer first")]
    public void Link_AddsUpToOneBatchOfBothTraces_WhicheverOfProducerAndConsumerComesFirst(string order)
    {
        var (producer, consumer) = MessagingTraces();
        var store = new LinkedTraces();
        IReadOnlyList<Span>[][] batches = order switch
        {
            "both at once" => [[producer, consumer]],
            "consumer first" => [[consumer], [producer]],
            _ => [[producer], [consumer]],
        };

        foreach (var batch in batches)
        {
            store.Link(batch);
        }

        var once = new LinkedTraces();
        once.Link([producer, consumer]);
        Assert.Contains(once.NetCalls, e => e.Key.Caller == "invoicing" && e.Key.Callee == "mailer" && e.Value == 1);
        Assert.Equal(once.NetCalls, store.NetCalls);
        Assert.Equal(once.NetStatistics, store.NetStatistics);
    }

    [Fact]
    public void Link_ReplacesTheEarlierLinkByTheDifference_WhenALateSpanArrives()
    {
        var trace = new TraceBuilder(9);
        var client = trace.Client("logistics", trace.Server("logistics"), s => s with { PeerService = "tracking" });
        var late = trace.Server("tracking", client);
        var early = trace.Spans.Where(s => s != late).ToList();
        var store = new LinkedTraces();

        store.Link([early]);
        var beforeLate = store.NetCalls;
        store.Link([[late]]);

        var once = new LinkedTraces();
        once.Link([[.. trace.Spans]]);
        Assert.Contains(beforeLate.Keys, k => k.Callee == "tracking");
        Assert.NotEqual(beforeLate, store.NetCalls);
        Assert.Equal(once.NetCalls, store.NetCalls);
        Assert.Equal(once.NetStatistics, store.NetStatistics);
    }

    [Fact]
    public void Link_GivesTheSameChangeOnEveryCore_AsOnOne()
    {
        // Enough traces to be linked in parallel, over several minutes, a third of them re-linked
        // after a late span: the parallel links must be applied in the traces' order.
        var traces = new List<TraceToLink>();
        for (var i = 0; i < 600; i++)
        {
            var trace = new TraceBuilder((ulong)i + 1);
            var (caller, callee) = ($"service-{i % 13}", $"service-{(i * 7 + 3) % 13}");
            var later = i * 1_000_000_000L;
            var client = trace.Client(caller, trace.Server(caller, null, s => s with { StartUnixNano = s.StartUnixNano + later }),
                s => s with { StartUnixNano = s.StartUnixNano + later, PeerService = callee, Error = i % 5 == 0, DurationNano = 1_000_000 + (i * 37_000) });
            trace.Server(callee, client, s => s with { StartUnixNano = s.StartUnixNano + later, DurationNano = 900_000 + (i * 29_000) });
            var spans = trace.Spans.ToList();
            traces.Add(new TraceToLink(i + 1, i % 3 == 0 ? spans[..^1] : null, spans));
        }

        var one = BatchLinker.Link(traces, new LinkedTraces(), parallel: false);
        var every = BatchLinker.Link(traces, new LinkedTraces(), parallel: true);

        Assert.True(one.Statistics.Buckets.Count > 2);
        Assert.Equal(Blobs(one.Statistics), Blobs(every.Statistics));
        Assert.Equal(one.Calls.Series.ToDictionary(s => s.Key, s => (s.Value.Calls, s.Value.Failed)),
            every.Calls.Series.ToDictionary(s => s.Key, s => (s.Value.Calls, s.Value.Failed)));
    }

    /// <summary>Every serialised edge, node, Zipkin link and reliability blob of each bucket, added and removed.</summary>
    private static List<string> Blobs(StatisticsDelta delta) =>
    [
        .. delta.Buckets.OrderBy(b => b.Key).SelectMany(b => new[] { (b.Key, "added", b.Value.Added), (b.Key, "removed", b.Value.Removed) }
            .SelectMany(side => side.Item3.Edges.Values.Select(e => $"{side.Key} {side.Item2} {Convert.ToHexString(e.Serialize())}")
                .Concat(side.Item3.Nodes.Values.Select(n => $"{side.Key} {side.Item2} {Convert.ToHexString(n.Serialize())}")))
            .Concat(b.Value.Links.Select(l => $"{b.Key} {l.Key} {l.Value}"))
            .Concat([$"{b.Key} {Convert.ToHexString(b.Value.AddedReliability.ToBytes())} {Convert.ToHexString(b.Value.RemovedReliability.ToBytes())}"]))
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>docs/examples/linking/messaging-cross-trace.json: invoicing publishes, mailer consumes in a trace of its own and links back.</summary>
    private static (IReadOnlyList<Span> Producer, IReadOnlyList<Span> Consumer) MessagingTraces()
    {
        var producer = new TraceBuilder(7);
        var publish = producer.Producer("invoicing", producer.Server("invoicing"),
            s => s with { MessagingSystem = "rabbitmq", MessagingDestinationName = "invoices" });
        var consumer = new TraceBuilder(8);
        consumer.Consumer("mailer", null, s => s with
        {
            MessagingSystem = "rabbitmq",
            MessagingDestinationName = "invoices",
            Links = [new SpanLink(producer.TraceId, publish.SpanId)],
        });
        return (producer.Spans, consumer.Spans);
    }

    /// <summary>
    /// What the store keeps between batches, in memory: each linked trace's spans and the
    /// cross-trace pairs, recorded after each batch as a commit would; and the batches' changes summed.
    /// </summary>
    private sealed class LinkedTraces : IRelatedTraces
    {
        private readonly Dictionary<long, List<Span>> _linked = [];
        private readonly List<(long Target, long Source)> _pairs = [];
        private readonly Dictionary<EdgeKey, long> _calls = [];
        private readonly Dictionary<(BucketResolution Resolution, long Start, EdgeKey Edge), long> _statistics = [];

        public bool AnyTraceLinks => _pairs.Count > 0;

        /// <summary>Net calls per edge in Tempo's series, edges at zero left out.</summary>
        public Dictionary<EdgeKey, long> NetCalls => _calls.Where(e => e.Value != 0).ToDictionary();

        /// <summary>Net calls per minute and hour bucket and edge in the statistics, zeros left out.</summary>
        public Dictionary<(BucketResolution Resolution, long Start, EdgeKey Edge), long> NetStatistics => _statistics.Where(e => e.Value != 0).ToDictionary();

        public List<(long Target, long Source)> SourcesOf(List<long> targets) => [.. _pairs.Where(p => targets.Contains(p.Target))];

        public Dictionary<long, List<Span>> LinkedSpansOf(List<long> ids) =>
            ids.Where(_linked.ContainsKey).ToDictionary(id => id, id => _linked[id]);

        /// <summary>Links one batch of spans (grouped by trace) and keeps what a commit would.</summary>
        public void Link(IEnumerable<IReadOnlyList<Span>> batch)
        {
            var traces = batch.SelectMany(s => s).GroupBy(s => unchecked((long)s.TraceId.Low)).Select(g =>
            {
                var earlier = _linked.GetValueOrDefault(g.Key);
                return new TraceToLink(g.Key, earlier, [.. earlier ?? [], .. g]);
            }).ToList();
            var change = BatchLinker.Link(traces, this);
            foreach (var trace in traces)
            {
                _linked[trace.TraceIdLow] = trace.Spans;
            }
            _pairs.AddRange(change.TraceLinks);
            foreach (var (edge, series) in change.Calls.Series)
            {
                _calls[edge] = _calls.GetValueOrDefault(edge) + series.Calls;
            }
            foreach (var ((resolution, start), bucket) in change.Statistics.Buckets)
            {
                foreach (var (edge, statistics) in bucket.Added.Edges)
                {
                    _statistics[(resolution, start, edge)] = _statistics.GetValueOrDefault((resolution, start, edge)) + statistics.CallCount;
                }
                foreach (var (edge, statistics) in bucket.Removed.Edges)
                {
                    _statistics[(resolution, start, edge)] = _statistics.GetValueOrDefault((resolution, start, edge)) - statistics.CallCount;
                }
            }
        }
    }
}
