using System.Text;
using DepMap.Core.Spans;

namespace DepMap.Ingest.Tests;

public class JaegerJsonDecoderTests
{

    private static DecodedBatch Decode(string json) => SpanDecoders.Decode(TraceFormat.JaegerJson, Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Decode_ReadsTagsReferencesAndProcesses_WhenDownloadedFromJaegerUi()
    {
        // A Jaeger UI download: the API envelope, tag value before key, spans before their processes.
        var batch = SpanDecoders.Decode(TraceFormat.JaegerJson, File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", "jaeger-download.json")));

        Assert.Equal(2, batch.Spans.Count);
        var client = batch.Spans[0];
        Assert.Equal(new TraceId(0x5b8aa5a2d2c872e8, 0x321cf37308d69df2), client.TraceId);
        Assert.Equal(0x051581bf3cb55c13UL, client.SpanId);
        Assert.Equal(0xaaUL, client.ParentId);
        Assert.Equal([new SpanLink(new TraceId(0, 1), 0xbb)], client.Links);
        Assert.Equal(SpanKind.Client, client.Kind);
        Assert.Equal("cart", client.LocalService);
        Assert.Null(client.ServiceNamespace);
        Assert.Equal("GET /pay", client.Name);
        Assert.Equal(1700000000000123000L, client.StartUnixNano);
        Assert.Equal(2500000L, client.DurationNano);
        Assert.True(client.Error);
        Assert.Equal("payments", client.PeerService);
        Assert.Equal(503, client.HttpResponseStatusCode);
        // net.peer.name is deprecated: kept apart from server.address, a fallback at the end of the naming lists.
        Assert.Equal(("pay.local", null), (client.NetPeerName, client.ServerAddress));
        Assert.Equal(8443, client.ServerPort);

        var server = batch.Spans[1];
        Assert.Equal(SpanKind.Server, server.Kind);
        Assert.Equal("shop", server.LocalService);
        Assert.Equal("retail", server.ServiceNamespace);
        Assert.Equal(0UL, server.ParentId);
        Assert.True(server.Error);
    }

    [Fact]
    public void Decode_ReadsBareTraces_WhenNotWrappedInData()
    {
        const string trace = """{"traceID":"1","spans":[{"traceID":"1","spanID":"2","processID":"p1"}],"processes":{"p1":{"serviceName":"a"}}}""";

        var single = Assert.Single(Decode(trace).Spans);
        var many = Decode("[" + trace + "," + trace + "]");

        Assert.Equal("a", single.LocalService);
        Assert.Equal(2, many.Spans.Count);
    }

    [Fact]
    public void Decode_DoesNotFail_WhenErrorTagIsFalse()
    {
        var span = Assert.Single(Decode("""[{"spans":[{"traceID":"1","spanID":"2","tags":[{"key":"error","type":"bool","value":false}]}]}]""").Spans);

        Assert.False(span.Error);
        Assert.Null(span.LocalService);
    }

    [Theory]
    [InlineData("", "empty body: expected a Jaeger JSON document ({\"data\":[traces]}, a trace, or an array of traces)")]
    [InlineData("1", "expected a Jaeger JSON document ({\"data\":[traces]}, a trace, or an array of traces), got a number")]
    [InlineData("""{"data":{}}""", "data: expected an array, got an object")]
    [InlineData("""{"data":[{"spans":[{"traceID":"1","spanID":"g"}]}]}""", "data[0].spans[0].spanID: expected 16 hex digits, got \"g\"")]
    [InlineData("""{"data":[{"spans":[{"references":[{"refType":"PARENT"}]}]}]}""", "data[0].spans[0].references[0].refType: expected CHILD_OF or FOLLOWS_FROM, got \"PARENT\"")]
    [InlineData("""{"data":[{"spans":[{"tags":[{"key":7}]}]}]}""", "data[0].spans[0].tags[0].key: expected a string, got a number")]
    [InlineData("""{"data":[{"spans":[],"processes":{"p1":{"serviceName":1}}}]}""", "data[0].processes.p1.serviceName: expected a string, got a number")]
    [InlineData("""{"data":[{"spans":[{"startTime":99999999999999999}]}]}""", "data[0].spans[0].startTime: 99999999999999999 microseconds is out of range")]
    [InlineData("{\"data\":[", "byte 9: invalid JSON: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed.")]
    public void Decode_ThrowsPreciseError_WhenPayloadIsMalformed(string json, string message)
    {
        var error = Assert.Throws<SpanDecodeException>(() => Decode(json));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Decode_RejectsSpanAlone_WhenItHasNoSpanId()
    {
        var batch = Decode("""{"data":[{"spans":[{"traceID":"1","spanID":""},{"traceID":"1","spanID":"3"}]}]}""");

        Assert.Single(batch.Spans);
        Assert.Equal("1 span rejected: data[0].spans[0]: no span id", batch.RejectionMessage);
    }
}
