using System.Text;
using DepMap.Core.Spans;

namespace DepMap.Ingest.Tests;

public class JaegerJsonDecoderTests
{
    private const string Download = """
        {"data":[{"traceID":"5b8aa5a2d2c872e8321cf37308d69df2","spans":[
          {"traceID":"5b8aa5a2d2c872e8321cf37308d69df2","spanID":"051581bf3cb55c13","operationName":"GET /pay",
           "references":[{"refType":"CHILD_OF","traceID":"5b8aa5a2d2c872e8321cf37308d69df2","spanID":"00000000000000aa"},
                         {"refType":"FOLLOWS_FROM","traceID":"00000000000000000000000000000001","spanID":"00000000000000bb"}],
           "startTime":1700000000000123,"duration":2500,"flags":1,
           "tags":[{"key":"span.kind","type":"string","value":"client"},{"value":true,"type":"bool","key":"error"},
                   {"key":"peer.service","type":"string","value":"payments"},{"key":"http.status_code","type":"int64","value":503},
                   {"key":"net.peer.name","type":"string","value":"pay.local"},{"key":"server.port","type":"string","value":"8443"}],
           "logs":[{"timestamp":1,"fields":[{"key":"event","type":"string","value":"error"}]}],"processID":"p2","warnings":null},
          {"traceID":"5b8aa5a2d2c872e8321cf37308d69df2","spanID":"00000000000000aa","operationName":"checkout","references":[],
           "startTime":1700000000000000,"duration":9000,"tags":[{"key":"span.kind","type":"string","value":"server"},
           {"key":"error","type":"string","value":"false"},{"key":"otel.status_code","type":"string","value":"ERROR"}],"processID":"p1"}],
          "processes":{"p1":{"serviceName":"shop","tags":[{"key":"service.namespace","type":"string","value":"retail"}]},
                       "p2":{"serviceName":"cart","tags":[]}},"warnings":null}],
         "total":0,"limit":0,"offset":0,"errors":null}
        """;

    private static DecodedBatch Decode(string json) => SpanDecoders.Decode(TraceFormat.JaegerJson, Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Decode_ReadsTagsReferencesAndProcesses_WhenDownloadedFromJaegerUi()
    {
        var batch = Decode(Download);

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
        Assert.Equal("pay.local", client.ServerAddress);
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
