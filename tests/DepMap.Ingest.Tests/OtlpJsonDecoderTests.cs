using System.Text;
using DepMap.Core.Spans;

namespace DepMap.Ingest.Tests;

public class OtlpJsonDecoderTests
{
    private static DecodedBatch Decode(string json) => SpanDecoders.Decode(TraceFormat.OtlpJson, Encoding.UTF8.GetBytes(json));

    private static string Request(string span) =>
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[]},\"scopeSpans\":[{\"spans\":[" + span + "]}]}]}";

    [Fact]
    public void Decode_AcceptsEveryWrittenForm_WhenReadingTheVariantsGolden()
    {
        var payload = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", "otlp-variants.json"));

        var batch = SpanDecoders.Decode(TraceFormat.OtlpJson, payload);

        Assert.Equal(TraceFormat.OtlpJson, SpanDecoders.Detect(payload));
        Assert.Equal(2, batch.Spans.Count);
        Assert.Equal(1, batch.RejectedSpans);
        Assert.Equal("1 span rejected: resourceSpans[0].scopeSpans[0].spans[1]: traceId is 0 bytes, expected 16", batch.RejectionMessage);
        var producer = batch.Spans[0];
        Assert.Equal(new TraceId(0x5b8aa5a2d2c872e8, 0x321cf37308d69df2), producer.TraceId);
        Assert.Equal(0x051581bf3cb55c13UL, producer.SpanId);
        Assert.Equal(0UL, producer.ParentId);
        Assert.Equal("publish orders", producer.Name);
        Assert.Equal(SpanKind.Producer, producer.Kind);
        Assert.Equal("orders", producer.LocalService);
        Assert.Equal("retail", producer.ServiceNamespace);
        Assert.Equal(1_700_000_000_000_000_000, producer.StartUnixNano);
        Assert.Equal(2_500_000, producer.DurationNano);
        Assert.True(producer.Error);
        Assert.Equal([new SpanLink(new TraceId(0, 1), 0xbb)], producer.Links);
        Assert.Equal("kafka", producer.MessagingSystem);
        Assert.Equal("orders", producer.MessagingDestinationName);
        // net.sock.peer.* are deprecated: kept apart from network.peer.*, fallbacks at the end of the naming lists.
        Assert.Equal(("10.1.2.3", 9092), (producer.NetSockPeerAddress, producer.NetSockPeerPort));
        Assert.Equal((null, null), (producer.NetworkPeerAddress, producer.NetworkPeerPort));
        Assert.Equal(202, producer.HttpResponseStatusCode);
        Assert.Null(producer.DbSystem);
        Assert.Null(producer.PeerService);

        var consumer = batch.Spans[1];
        Assert.Equal(SpanKind.Consumer, consumer.Kind);
        Assert.Equal(producer.SpanId, consumer.ParentId);
        Assert.Equal(0, consumer.DurationNano);
        Assert.False(consumer.Error);
        Assert.Null(consumer.Name);
    }

    [Fact]
    public void Decode_DoesNotFail_WhenOnlyOtelStatusCodeAttributeSaysError()
    {
        var span = Assert.Single(Decode(Request("""{"traceId":"5b8aa5a2d2c872e8321cf37308d69df2","spanId":"051581bf3cb55c13","attributes":[{"key":"otel.status_code","value":{"stringValue":"ERROR"}},{"key":"error","value":{"boolValue":true}}]}""")).Spans);

        Assert.False(span.Error);
    }

    [Fact]
    public void Decode_RejectsSpanAlone_WhenIdHasWrongLength()
    {
        var batch = Decode(Request("""{"traceId":"5b8aa5a2d2c872e8","spanId":"051581bf3cb55c13"},{"traceId":"5b8aa5a2d2c872e8321cf37308d69df2","spanId":"0000000000000000"}"""));

        Assert.Empty(batch.Spans);
        Assert.Equal("2 spans rejected, the first: resourceSpans[0].scopeSpans[0].spans[0]: traceId is 8 bytes, expected 16", batch.RejectionMessage);
    }

    [Theory]
    [InlineData("", "empty body: expected an OTLP JSON ExportTraceServiceRequest object")]
    [InlineData("[]", "expected an OTLP JSON ExportTraceServiceRequest object, got an array")]
    [InlineData("""{"resourceSpans":{}}""", "resourceSpans: expected an array, got an object")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"W4qlotLIcugyHPNzCNad8g=="}]}]}]}""",
        "resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex digits, got \"W4qlotLIcugyHPNzCNad8g==\"")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{},{"spans":[{},{},{},{"spanId":"abc"}]}]}]}""",
        "resourceSpans[0].scopeSpans[1].spans[3].spanId: expected 16 hex digits, got \"abc\"")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"parentSpanId":7}]}]}]}""",
        "resourceSpans[0].scopeSpans[0].spans[0].parentSpanId: expected a string, got a number")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SERVER"}]}]}]}""",
        "resourceSpans[0].scopeSpans[0].spans[0].kind: expected a SpanKind number or name, got \"SERVER\"")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"soon"}]}]}]}""",
        "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected nanoseconds, got \"soon\"")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"status":{"code":true}}]}]}]}""",
        "resourceSpans[0].scopeSpans[0].spans[0].status.code: expected a StatusCode number or name, got a boolean")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"peer.service","value":"tracking"}]}]}]}]}""",
        "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value: expected an object, got a string")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"server.port","value":{"intValue":"80.5"}}]}]}]}]}""",
        "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: expected an integer, got \"80.5\"")]
    [InlineData("""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":1}}]}}]}""",
        "resourceSpans[0].resource.attributes[0].value.stringValue: expected a string, got a number")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"links":[{"traceId":"zz"}]}]}]}]}""",
        "resourceSpans[0].scopeSpans[0].spans[0].links[0].traceId: expected 32 hex digits, got \"zz\"")]
    [InlineData("{\"resourceSpans\":[}", "byte 18: invalid JSON: '}' is an invalid start of a value.")]
    [InlineData("resourceSpans", "byte 0: invalid JSON: 'r' is an invalid start of a value.")]
    public void Decode_ThrowsPreciseError_WhenPayloadIsMalformed(string json, string message)
    {
        var error = Assert.Throws<SpanDecodeException>(() => Decode(json));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Decode_ThrowsDepthError_WhenAttributeValueNestsTooDeep()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"arrayValue\":{\"values\":[", 30)) + string.Concat(Enumerable.Repeat("]}}", 30));
        var json = Request("{\"attributes\":[{\"key\":\"x\",\"value\":" + deep + "}]}");

        var error = Assert.Throws<SpanDecodeException>(() => Decode(json));

        // Nine containers enclose the value; the 65th opened is the second of the 19th 25-byte "{"arrayValue":{"values":[" group.
        Assert.Equal($"byte {json.IndexOf(deep, StringComparison.Ordinal) + (18 * 25) + 14}: invalid JSON: The maximum configured depth of 64 has been exceeded. Cannot read next JSON object.", error.Message);
    }

    [Fact]
    public void EncodeExportResponseJson_ReportsPartialSuccess_WhenSpansWereRejected()
    {
        Assert.Equal("{ }", SpanDecoders.EncodeExportResponseJson(0, null));
        Assert.Equal("""{ "partialSuccess": { "rejectedSpans": "2", "errorMessage": "2 spans rejected" } }""", SpanDecoders.EncodeExportResponseJson(2, "2 spans rejected"));
        Assert.Empty(SpanDecoders.EncodeExportResponse(0, null));
        Assert.Equal(Convert.FromHexString("0A080802120462616421"), SpanDecoders.EncodeExportResponse(2, "bad!"));
    }
}
