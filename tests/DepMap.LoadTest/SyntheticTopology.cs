using Google.Protobuf;

namespace DepMap.LoadTest;

/// <summary>
/// A fixed synthetic topology replayed as OTLP ExportTraceServiceRequest bytes: services call the
/// next few services in a ring, every call is a CLIENT span and its SERVER span, every span has
/// about ten attributes, and 2% of calls fail. Seeded, so every run sends the same spans.
/// </summary>
internal sealed class SyntheticTopology(int services, int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>One request of <paramref name="spansPerBatch"/> spans, traces of 8 spans (4 calls).</summary>
    public byte[] NextBatch(int spansPerBatch)
    {
        // Field numbers from opentelemetry/proto/{collector/trace,trace,common,resource}/v1.
        var byService = new Dictionary<int, List<byte[]>>();
        for (var emitted = 0; emitted < spansPerBatch;)
        {
            var traceId = new byte[16];
            _random.NextBytes(traceId);
            var caller = _random.Next(services);
            ulong parent = 0;
            for (var hop = 0; hop < 4 && emitted < spansPerBatch; hop++)
            {
                var callee = (caller + 1 + _random.Next(3)) % services;
                var failed = _random.Next(100) < 2;
                var clientId = NextId();
                var serverId = NextId();
                Add(byService, caller, Span(traceId, clientId, parent, kind: 3, $"GET /svc-{callee}", failed, $"svc-{callee}"));
                Add(byService, callee, Span(traceId, serverId, clientId, kind: 2, $"GET /svc-{callee}", failed, null));
                emitted += 2;
                parent = serverId;
                caller = callee;
            }
        }
        var request = new MemoryStream();
        var output = new CodedOutputStream(request);
        foreach (var (service, spans) in byService)
        {
            var resource = Message(1, Message(1, Text(1, "service.name"), Message(2, Text(1, $"svc-{service}"))));
            var scope = Message(2, [.. spans.Select(s => Message(2, s))]);
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom([.. resource, .. scope]));
        }
        output.Flush();
        return request.ToArray();
    }

    private ulong NextId() => (ulong)_random.NextInt64(1, long.MaxValue);

    private static void Add(Dictionary<int, List<byte[]>> byService, int service, byte[] span)
    {
        if (!byService.TryGetValue(service, out var list))
        {
            byService[service] = list = [];
        }
        list.Add(span);
    }

    private byte[] Span(byte[] traceId, ulong spanId, ulong parentId, int kind, string name, bool failed, string? peer)
    {
        var start = 1_700_000_000_000_000_000UL + (ulong)_random.Next(1_000_000_000);
        var attributes = new List<byte[]>
        {
            Attribute("http.request.method", "GET"),
            Attribute("url.path", name[4..]),
            Attribute("http.response.status_code", failed ? "500" : "200"),
            Attribute("server.address", $"10.0.{_random.Next(256)}.{_random.Next(256)}"),
            Attribute("server.port", "8080"),
            Attribute("network.protocol.version", "1.1"),
            Attribute("user_agent.original", "loadtest/1.0"),
            Attribute("thread.name", "worker-1"),
            Attribute("code.function", "Handle"),
            Attribute(peer is null ? "http.route" : "peer.service", peer ?? name[4..]),
        };
        var parts = new List<byte[]>
        {
            Bytes(1, traceId),
            Bytes(2, BigEndian(spanId)),
            Text(5, name),
            Varint(6, (ulong)kind),
            Fixed64(7, start),
            Fixed64(8, start + (ulong)_random.Next(100_000, 50_000_000)),
        };
        if (parentId != 0)
        {
            parts.Add(Bytes(4, BigEndian(parentId)));
        }
        parts.AddRange(attributes.Select(a => Bytes(9, a)));
        if (failed)
        {
            parts.Add(Message(15, Varint(3, 2))); // status { code: STATUS_CODE_ERROR }
        }
        return [.. parts.SelectMany(p => p)];
    }

    private static byte[] Attribute(string key, string value) => [.. Text(1, key), .. Message(2, Text(1, value))];

    private static byte[] Message(int field, params byte[][] parts) => Bytes(field, [.. parts.SelectMany(p => p)]);

    private static byte[] Text(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));

    private static byte[] Bytes(int field, byte[] value)
    {
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] Varint(int field, ulong value)
    {
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteUInt64(value);
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] Fixed64(int field, ulong value)
    {
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(field, WireFormat.WireType.Fixed64);
        output.WriteFixed64(value);
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] BigEndian(ulong value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }
}
