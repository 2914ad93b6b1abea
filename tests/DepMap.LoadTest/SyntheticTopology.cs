namespace DepMap.LoadTest;

/// <summary>One generated span, format-neutral; <see cref="OtlpProtobufPayload"/> and <see cref="JsonPayloads"/> write it.</summary>
internal sealed record LoadSpan(
    byte[] TraceId, ulong SpanId, ulong ParentId, bool Client, int Service, string Name,
    long StartUnixNano, long EndUnixNano, bool Failed, IReadOnlyList<(string Key, object Value)> Attributes);

/// <summary>
/// A fixed synthetic topology: services call the next few services in a ring, every call is a
/// CLIENT span and its SERVER span, every span has ten attributes, and 2% of calls fail. Seeded, so
/// every run sends the same shapes; the trace ids are rewritten per send (<see cref="PayloadTemplate"/>).
/// </summary>
internal sealed class SyntheticTopology(int services, int seed, long startUnixNano)
{
    private readonly Random _random = new(seed);

    /// <summary>One batch of <paramref name="spansPerBatch"/> spans, traces of 8 spans (4 calls), and its trace ids.</summary>
    public (List<LoadSpan> Spans, List<byte[]> TraceIds) NextBatch(int spansPerBatch)
    {
        var spans = new List<LoadSpan>(spansPerBatch);
        var traceIds = new List<byte[]>();
        while (spans.Count < spansPerBatch)
        {
            var traceId = new byte[16];
            _random.NextBytes(traceId);
            traceIds.Add(traceId);
            var caller = _random.Next(services);
            ulong parent = 0;
            var start = startUnixNano + _random.NextInt64(1_000_000_000);
            for (var hop = 0; hop < 4 && spans.Count < spansPerBatch; hop++)
            {
                var callee = (caller + 1 + _random.Next(3)) % services;
                var failed = _random.Next(100) < 2;
                var clientId = NextId();
                var serverId = NextId();
                var name = $"GET /svc-{callee}";
                var duration = _random.Next(100_000, 50_000_000);
                spans.Add(Span(traceId, clientId, parent, client: true, caller, name, start, duration + 200_000, failed, $"svc-{callee}"));
                spans.Add(Span(traceId, serverId, clientId, client: false, callee, name, start + 100_000, duration, failed, null));
                parent = serverId;
                caller = callee;
                start += 100_000 + duration / 10;
            }
        }
        return (spans, traceIds);
    }

    private ulong NextId() => (ulong)_random.NextInt64(1, long.MaxValue);

    private LoadSpan Span(byte[] traceId, ulong id, ulong parent, bool client, int service, string name, long start, long duration, bool failed, string? peer) =>
        new(traceId, id, parent, client, service, name, start, start + duration, failed,
        [
            ("http.request.method", "GET"),
            ("url.path", name[4..]),
            ("http.response.status_code", failed ? 500L : 200L),
            ("server.address", $"10.0.{_random.Next(256)}.{_random.Next(256)}"),
            ("server.port", 8080L),
            ("network.protocol.version", "1.1"),
            ("user_agent.original", "loadtest/1.0"),
            ("thread.name", "worker-1"),
            ("code.function", "Handle"),
            peer is null ? ("http.route", name[4..]) : ("peer.service", peer),
        ]);
}
