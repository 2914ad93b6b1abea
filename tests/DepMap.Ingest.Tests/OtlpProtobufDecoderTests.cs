using DepMap.Core.Spans;
using DepMap.Ingest.Otlp.Proto.Collector;
using DepMap.Ingest.Otlp.Proto.Common;
using DepMap.Ingest.Otlp.Proto.Resource;
using DepMap.Ingest.Otlp.Proto.Trace;
using Google.Protobuf;
using ProtoSpan = DepMap.Ingest.Otlp.Proto.Trace.Span;

namespace DepMap.Ingest.Tests;

public class OtlpProtobufDecoderTests
{
    private static readonly byte[] TraceBytes = Convert.FromHexString("5b8aa5a2d2c872e8321cf37308d69df2");
    private static readonly byte[] SpanBytes = Convert.FromHexString("051581bf3cb55c13");
    private static readonly byte[] ParentBytes = Convert.FromHexString("00000000000000aa");

    private static KeyValue Attribute(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static KeyValue Attribute(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    private static ProtoSpan ClientSpan() => new()
    {
        TraceId = ByteString.CopyFrom(TraceBytes),
        SpanId = ByteString.CopyFrom(SpanBytes),
        ParentSpanId = ByteString.CopyFrom(ParentBytes),
        Name = "SELECT orders",
        Kind = ProtoSpan.Types.SpanKind.Client,
        StartTimeUnixNano = 1_700_000_000_000_000_000,
        EndTimeUnixNano = 1_700_000_000_030_000_000,
        Attributes =
        {
            Attribute("db.system.name", "postgresql"),
            Attribute("db.namespace", "orders-db"),
            Attribute("net.peer.name", "db.local"),
            Attribute("net.peer.port", "5432"),
            Attribute("network.peer.address", "10.0.0.7"),
            Attribute("network.peer.port", 5432),
            Attribute("http.status_code", 503),
            Attribute("http.response.status_code", 500),
            Attribute("peer.service", ""),
            Attribute("messaging.system", "kafka"),
            Attribute("messaging.destination", "orders"),
            new KeyValue { Key = "db.system", Value = new AnyValue { ArrayValue = new ArrayValue { Values = { new AnyValue { StringValue = "x" } } } } },
            Attribute("error", "true"),
            Attribute("service.name", "not-the-service"),
        },
        Events = { new ProtoSpan.Types.Event { Name = "exception", TimeUnixNano = 5 } },
        Links = { new ProtoSpan.Types.Link { TraceId = ByteString.CopyFrom(TraceBytes), SpanId = ByteString.CopyFrom(ParentBytes) } },
        Status = new Status { Code = Status.Types.StatusCode.Error, Message = "boom" },
    };

    private static ExportTraceServiceRequest Request(params ProtoSpan[] spans) => new()
    {
        ResourceSpans =
        {
            new ResourceSpans
            {
                Resource = new Resource { Attributes = { Attribute("service.name", "shop"), Attribute("service.namespace", "retail") } },
                ScopeSpans = { new ScopeSpans { Scope = new InstrumentationScope { Name = "lib" }, Spans = { spans } } },
            },
        },
    };

    private static DecodedBatch Decode(byte[] payload) => SpanDecoders.Decode(TraceFormat.OtlpProtobuf, payload);

    [Fact]
    public void Decode_ReadsEveryLinkingField_WhenEncodedByGoogleProtobuf()
    {
        var batch = Decode(Request(ClientSpan()).ToByteArray());

        var span = Assert.Single(batch.Spans);
        Assert.Equal(new TraceId(0x5b8aa5a2d2c872e8, 0x321cf37308d69df2), span.TraceId);
        Assert.Equal(0x051581bf3cb55c13UL, span.SpanId);
        Assert.Equal(0xaaUL, span.ParentId);
        Assert.Equal(SpanKind.Client, span.Kind);
        Assert.Equal("SELECT orders", span.Name);
        Assert.Equal("shop", span.LocalService);
        Assert.Equal("retail", span.ServiceNamespace);
        Assert.Null(span.RemoteService);
        Assert.Equal(1_700_000_000_000_000_000, span.StartUnixNano);
        Assert.Equal(30_000_000, span.DurationNano);
        Assert.True(span.Error);
        Assert.Equal([new SpanLink(new TraceId(0x5b8aa5a2d2c872e8, 0x321cf37308d69df2), 0xaa)], span.Links);
        Assert.Equal("postgresql", span.DbSystemName);
        Assert.Equal("orders-db", span.DbNamespace);
        Assert.Null(span.DbSystem);
        Assert.Null(span.PeerService);
        Assert.Equal(("db.local", null), (span.NetPeerName, span.ServerAddress));
        Assert.Equal(5432, span.ServerPort);
        Assert.Equal("10.0.0.7", span.NetworkPeerAddress);
        Assert.Equal(5432, span.NetworkPeerPort);
        Assert.Equal(500, span.HttpResponseStatusCode);
        Assert.Equal("kafka", span.MessagingSystem);
        Assert.Equal("orders", span.MessagingDestinationName);
    }

    [Fact]
    public void Decode_DoesNotFail_WhenOnlyAnErrorAttributeIsSet()
    {
        var proto = ClientSpan();
        proto.Status = new Status { Code = Status.Types.StatusCode.Ok };

        var span = Assert.Single(Decode(Request(proto).ToByteArray()).Spans);

        Assert.False(span.Error);
    }

    [Fact]
    public void Decode_NamesService_WhenResourceFollowsTheSpans()
    {
        // Protobuf fields may come in any order; Google.Protobuf writes the resource first, so move it last.
        var request = Request(ClientSpan());
        var resource = request.ResourceSpans[0].Resource;
        request.ResourceSpans[0].Resource = null;
        var resourceSpans = request.ResourceSpans[0].ToByteArray()
            .Concat(new ResourceSpans { Resource = resource }.ToByteArray()).ToArray();
        var payload = new ExportTraceServiceRequest().ToByteArray()
            .Concat(new byte[] { 0x0A }).Concat(Varint(resourceSpans.Length)).Concat(resourceSpans).ToArray();

        var span = Assert.Single(Decode(payload).Spans);

        Assert.Equal("shop", span.LocalService);
    }

    [Fact]
    public void Decode_RejectsSpansAlone_WhenIdsAreInvalid()
    {
        var shortTrace = ClientSpan();
        shortTrace.TraceId = ByteString.CopyFrom(TraceBytes, 0, 8);
        var zeroSpan = ClientSpan();
        zeroSpan.SpanId = ByteString.CopyFrom(new byte[8]);
        var noTrace = ClientSpan();
        noTrace.TraceId = ByteString.Empty;
        var badParent = ClientSpan();
        badParent.ParentSpanId = ByteString.CopyFrom(1, 2);

        var batch = Decode(Request(ClientSpan(), shortTrace, zeroSpan, noTrace, badParent).ToByteArray());

        Assert.Single(batch.Spans);
        Assert.Equal(4, batch.RejectedSpans);
        Assert.Equal("4 spans rejected, the first: resource_spans[0].scope_spans[0].spans[1]: trace_id is 8 bytes, expected 16", batch.RejectionMessage);
        Assert.Equal("1 span rejected: resource_spans[0].scope_spans[0].spans[0]: span_id is all zero", Decode(Request(zeroSpan).ToByteArray()).RejectionMessage);
        Assert.Equal("1 span rejected: resource_spans[0].scope_spans[0].spans[0]: parent_span_id is 2 bytes, expected 8 or none", Decode(Request(badParent).ToByteArray()).RejectionMessage);
    }

    [Fact]
    public void Decode_ReturnsNoSpans_WhenBodyIsEmpty()
    {
        // An empty body is a valid empty ExportTraceServiceRequest; OTLP exporters never send one, but it is not malformed.
        var batch = Decode([]);

        Assert.Empty(batch.Spans);
        Assert.Equal(0, batch.RejectedSpans);
    }

    [Fact]
    public void Decode_SkipsNestedValuesByLength_WhenAttributeNestsDeeply()
    {
        // Google.Protobuf refuses nesting past 100 levels; this decoder never recurses into values it does not read.
        var value = new AnyValue { StringValue = "leaf" };
        for (var i = 0; i < 5000; i++)
        {
            value = new AnyValue { ArrayValue = new ArrayValue { Values = { value } } };
        }
        var proto = ClientSpan();
        proto.Attributes.Add(new KeyValue { Key = "peer.service", Value = value });
        proto.Attributes.Add(new KeyValue { Key = "custom", Value = value });
        var payload = Request(proto).ToByteArray();

        var span = Assert.Single(Decode(payload).Spans);

        Assert.Null(span.PeerService);
        Assert.Equal("SELECT orders", span.Name);
    }

    [Theory]
    [InlineData("0A", "byte 1: truncated varint in ExportTraceServiceRequest")]
    [InlineData("0A80", "byte 1: truncated varint in ExportTraceServiceRequest")]
    [InlineData("0AFFFFFFFFFFFFFFFFFFFF01", "byte 1: varint longer than 10 bytes in ExportTraceServiceRequest")]
    [InlineData("0A05", "byte 1: length 5 of field 1 (resource_spans) runs past the end of ExportTraceServiceRequest")]
    [InlineData("0A0312FF01", "byte 3: length 255 of field 2 (scope_spans) runs past the end of ResourceSpans")]
    [InlineData("0A05120312FF01", "byte 5: length 255 of field 2 (spans) runs past the end of ScopeSpans")]
    [InlineData("0A040A021080", "byte 5: truncated varint in Resource")]
    [InlineData("0A040A020801", "byte 4: field 1 (attributes) of Resource has wire type 0 (varint), expected 2 (length-delimited)")]
    [InlineData("0A0612041202080A", "byte 6: field 1 (trace_id) of Span has wire type 0 (varint), expected 2 (length-delimited)")]
    [InlineData("0A071205120339AABB", "byte 7: fixed64 field 7 (start_time_unix_nano) runs past the end of Span")]
    [InlineData("0A06120412023200", "byte 6: field 6 (kind) of Span has wire type 2 (length-delimited), expected 0 (varint)")]
    [InlineData("0A06120412024802", "byte 6: field 9 (attributes) of Span has wire type 0 (varint), expected 2 (length-delimited)")]
    [InlineData("0A0612041202A701", "byte 6: invalid wire type 7 of field 20 in Span")]
    [InlineData("0A0612041202A301", "byte 6: wire type 3 (group start) of field 20 in Span is not used by OTLP")]
    [InlineData("0A05120312016B", "byte 6: field 13 (links) of Span has wire type 3 (group start), expected 2 (length-delimited)")]
    [InlineData("0A051203120100", "byte 6: field number 0 in Span")]
    [InlineData("0B", "byte 0: field 1 (resource_spans) of ExportTraceServiceRequest has wire type 3 (group start), expected 2 (length-delimited)")]
    [InlineData("0A0B120912074A050A01611205", "byte 12: length 5 of field 2 (value) runs past the end of KeyValue")]
    [InlineData("0A18121612144A120A0C706565722E7365727669636512020801", "byte 24: field 1 (string_value) of AnyValue has wire type 0 (varint), expected 2 (length-delimited)")]
    public void Decode_ThrowsPreciseError_WhenWireFormatIsBroken(string hex, string message)
    {
        var error = Assert.Throws<SpanDecodeException>(() => Decode(Convert.FromHexString(hex)));

        Assert.Equal(message, error.Message);
    }

    private static byte[] Varint(int value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }
}
