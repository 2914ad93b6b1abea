using System.Text;
using DepMap.Core.Spans;

namespace DepMap.Ingest.Tests;

public class ZipkinJsonDecoderTests
{
    private static DecodedBatch Decode(string json) => SpanDecoders.Decode(TraceFormat.ZipkinJson, Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Decode_ReadsEveryLinkingField_WhenSpanIsComplete()
    {
        var batch = Decode("""
            [{"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"a2fb4a1d1a96d312","parentId":"0020000000000001",
              "kind":"CLIENT","name":"get /api","timestamp":1556604172355737,"duration":1431,
              "localEndpoint":{"serviceName":"Frontend","ipv4":"192.168.99.1"},
              "remoteEndpoint":{"serviceName":"backend","ipv4":"172.19.0.2","port":9000},
              "annotations":[{"timestamp":1556604172355737,"value":"error"}],
              "tags":{"http.status_code":"500","peer.service":"pay","db.system":"","error":""},"shared":true}]
            """);

        var span = Assert.Single(batch.Spans);
        Assert.Equal(new TraceId(0x463ac35c9f6413ad, 0x48485a3953bb6124), span.TraceId);
        Assert.Equal(0xa2fb4a1d1a96d312UL, span.SpanId);
        Assert.Equal(0x0020000000000001UL, span.ParentId);
        Assert.Equal(SpanKind.Client, span.Kind);
        Assert.Equal("get /api", span.Name);
        Assert.Equal(1556604172355737000L, span.StartUnixNano);
        Assert.Equal(1431000L, span.DurationNano);
        Assert.Equal("Frontend", span.LocalService);
        Assert.Equal("backend", span.RemoteService);
        Assert.Equal("172.19.0.2", span.NetworkPeerAddress);
        Assert.Equal(9000, span.NetworkPeerPort);
        Assert.Equal(500, span.HttpResponseStatusCode);
        Assert.Equal("pay", span.PeerService);
        Assert.Null(span.DbSystem);
        Assert.True(span.Error);
        Assert.True(span.Shared);
        Assert.Equal(0, batch.RejectedSpans);
    }

    [Fact]
    public void Decode_DoesNotFail_WhenOnlyAnAnnotationSaysError()
    {
        var span = Assert.Single(Decode("""[{"traceId":"1","id":"2","annotations":[{"timestamp":1,"value":"error"}]}]""").Spans);

        Assert.False(span.Error);
        Assert.Equal(SpanKind.Unspecified, span.Kind);
        Assert.Equal(new TraceId(0, 1), span.TraceId);
    }

    [Fact]
    public void Decode_RejectsSpanAlone_WhenItHasNoIds()
    {
        var batch = Decode("""[{"traceId":"1","id":"2"},{"id":"3"},{"traceId":"0000000000000000","id":"4"},{"traceId":"5"}]""");

        Assert.Single(batch.Spans);
        Assert.Equal(3, batch.RejectedSpans);
        Assert.Equal("3 spans rejected, the first: [1]: no trace id", batch.RejectionMessage);
    }

    [Theory]
    [InlineData("", "empty body: expected a JSON array of Zipkin v2 spans")]
    [InlineData(" \n ", "empty body: expected a JSON array of Zipkin v2 spans")]
    [InlineData("{}", "expected a JSON array of Zipkin v2 spans, got an object")]
    [InlineData("[1]", "[0]: expected an object, got a number")]
    [InlineData("""[{"traceId":"xyz","id":"1"}]""", "[0].traceId: expected 16 or 32 hex digits, got \"xyz\"")]
    [InlineData("""[{"traceId":"1","id":"00000000000000001"}]""", "[0].id: expected 16 hex digits, got \"00000000000000001\"")]
    [InlineData("""[{"traceId":1,"id":"1"}]""", "[0].traceId: expected a string, got a number")]
    [InlineData("""[{},{"traceId":"1","id":"1","kind":"SERVERS"}]""", "[1].kind: expected CLIENT, SERVER, PRODUCER or CONSUMER, got \"SERVERS\"")]
    [InlineData("""[{"traceId":"1","id":"1","timestamp":"soon"}]""", "[0].timestamp: expected microseconds, got \"soon\"")]
    [InlineData("""[{"traceId":"1","id":"1","localEndpoint":[]}]""", "[0].localEndpoint: expected an object, got an array")]
    [InlineData("""[{"traceId":"1","id":"1","tags":{"a":{}}}]""", "[0].tags.a: expected a string, got an object")]
    [InlineData("""[{"traceId":"1","id":"1","annotations":{}}]""", "[0].annotations: expected an array, got an object")]
    [InlineData("""[{"traceId":"1",]""", "byte 16: invalid JSON: ']' is an invalid start of a property name. Expected a '\"'.")]
    [InlineData("[]x", "byte 2: invalid JSON: 'x' is invalid after a single JSON value. Expected end of data.")]
    [InlineData("not json", "byte 1: invalid JSON: 'not json' is an invalid JSON literal. Expected the literal 'null'.")]
    [InlineData("[{\"traceId\":\"1\"", "byte 15: invalid JSON: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed.")]
    public void Decode_ThrowsPreciseError_WhenPayloadIsMalformed(string json, string message)
    {
        var error = Assert.Throws<SpanDecodeException>(() => Decode(json));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Decode_ThrowsDepthError_WhenNestingIsDeep()
    {
        var json = "[{\"traceId\":\"1\",\"id\":\"1\",\"x\":" + new string('[', 100) + new string(']', 100) + "}]";

        var error = Assert.Throws<SpanDecodeException>(() => Decode(json));

        Assert.Equal("byte 91: invalid JSON: The maximum configured depth of 64 has been exceeded. Cannot read next JSON array.", error.Message);
    }

    [Fact]
    public void Decode_ThrowsDecodeError_WhenEscapedStringHasInvalidUtf8()
    {
        // The reader checks escapes as it goes but the UTF-8 around them only when it transcodes.
        byte[] json = [.. "[{\"traceId\":\"1\",\"id\":\"1\",\"name\":\"\\u0041"u8, 0xFF, .. "\"}]"u8];

        var error = Assert.Throws<SpanDecodeException>(() => SpanDecoders.Decode(TraceFormat.ZipkinJson, json));

        Assert.Equal("[0].name: byte 32: invalid UTF-8 in a string", error.Message);
    }
}
