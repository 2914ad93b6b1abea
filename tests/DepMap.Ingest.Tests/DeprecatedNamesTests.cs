using System.Text;
using DepMap.Core.Linking;
using DepMap.Ingest.Otlp.Proto.Collector;
using DepMap.Ingest.Otlp.Proto.Common;
using DepMap.Ingest.Otlp.Proto.Resource;
using DepMap.Ingest.Otlp.Proto.Trace;
using Google.Protobuf;
using ProtoSpan = DepMap.Ingest.Otlp.Proto.Trace.Span;

namespace DepMap.Ingest.Tests;

/// <summary>
/// Deprecated semantic-convention names are fallbacks at the end of every naming list, in every
/// decoder: Grafana's mythical example (a client span with <c>db.system=postgresql</c>,
/// <c>db.name=postgres</c>, <c>net.peer.name=mythical-database</c>) names the database as Tempo does.
/// </summary>
public class DeprecatedNamesTests
{
    private const string TraceId = "5b8aa5a2d2c872e8321cf37308d69df2";
    private const string SpanId = "051581bf3cb55c13";

    public static TheoryData<string> Formats => ["otlp-protobuf", "otlp-json", "zipkin", "jaeger"];

    [Theory]
    [MemberData(nameof(Formats))]
    public void Decode_KeepsDeprecatedNamesApartFromCurrentOnes_WhenAClientSpanCarriesBoth(string format)
    {
        var batch = Decode(format, ("net.peer.name", "mythical-database"), ("net.sock.peer.addr", "10.0.0.9"), ("server.address", "db.internal"));

        var only = Assert.Single(batch.Spans);
        Assert.Equal(("db.internal", "mythical-database", "10.0.0.9"), (only.ServerAddress, only.NetPeerName, only.NetSockPeerAddress));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Link_NamesTheDatabaseAfterDbName_WhenTheHostIsOnlyInNetPeerName(string format)
    {
        var batch = Decode(format, ("net.peer.name", "mythical-database"), ("net.peer.port", "5432"));

        var call = Assert.Single(TraceLinker.Link(batch.Spans, LinkerOptions.DepMap).Calls);

        Assert.Equal(("mythical-server", "postgres", ConnectionType.Database), (call.Caller, call.Callee, call.ConnectionType));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Link_NamesThePeerByTheDeprecatedSocketAddress_WhenNothingCurrentNamesIt(string format)
    {
        var batch = Decode(format, withDatabase: false, ("net.peer.ip", "10.0.0.7"), ("net.peer.port", "8080"));

        var call = Assert.Single(TraceLinker.Link(batch.Spans, LinkerOptions.DepMap).Calls);

        Assert.Equal(("mythical-server", "10.0.0.7:8080"), (call.Caller, call.Callee));
    }

    private static DecodedBatch Decode(string format, params (string Key, string Value)[] tags) => Decode(format, withDatabase: true, tags);

    private static DecodedBatch Decode(string format, bool withDatabase, params (string Key, string Value)[] tags)
    {
        (string, string)[] all = withDatabase ? [("db.system", "postgresql"), ("db.name", "postgres"), .. tags] : tags;
        return format switch
        {
            "otlp-protobuf" => SpanDecoders.Decode(TraceFormat.OtlpProtobuf, OtlpProtobuf(all)),
            "otlp-json" => SpanDecoders.Decode(TraceFormat.OtlpJson, Encoding.UTF8.GetBytes(OtlpJson(all))),
            "zipkin" => SpanDecoders.Decode(TraceFormat.ZipkinJson, Encoding.UTF8.GetBytes(Zipkin(all))),
            _ => SpanDecoders.Decode(TraceFormat.JaegerJson, Encoding.UTF8.GetBytes(Jaeger(all))),
        };
    }

    private static byte[] OtlpProtobuf((string Key, string Value)[] tags)
    {
        var span = new ProtoSpan
        {
            TraceId = ByteString.CopyFrom(Convert.FromHexString(TraceId)),
            SpanId = ByteString.CopyFrom(Convert.FromHexString(SpanId)),
            Name = "SELECT beasts",
            Kind = ProtoSpan.Types.SpanKind.Client,
            StartTimeUnixNano = 1_700_000_000_000_000_000,
            EndTimeUnixNano = 1_700_000_000_030_000_000,
        };
        span.Attributes.AddRange(tags.Select(t => new KeyValue { Key = t.Key, Value = new AnyValue { StringValue = t.Value } }));
        var resource = new Resource();
        resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "mythical-server" } });
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(new ResourceSpans { Resource = resource, ScopeSpans = { new ScopeSpans { Spans = { span } } } });
        return request.ToByteArray();
    }

    private static string OtlpJson((string Key, string Value)[] tags) =>
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"mythical-server\"}}]},"
        + "\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + TraceId + "\",\"spanId\":\"" + SpanId + "\",\"name\":\"SELECT beasts\",\"kind\":3,"
        + "\"startTimeUnixNano\":\"1700000000000000000\",\"endTimeUnixNano\":\"1700000000030000000\",\"attributes\":["
        + string.Join(',', tags.Select(t => "{\"key\":\"" + t.Key + "\",\"value\":{\"stringValue\":\"" + t.Value + "\"}}"))
        + "]}]}]}]}";

    private static string Zipkin((string Key, string Value)[] tags) =>
        "[{\"traceId\":\"" + TraceId + "\",\"id\":\"" + SpanId + "\",\"name\":\"select beasts\",\"kind\":\"CLIENT\","
        + "\"timestamp\":1700000000000000,\"duration\":30000,\"localEndpoint\":{\"serviceName\":\"mythical-server\"},\"tags\":{"
        + string.Join(',', tags.Select(t => "\"" + t.Key + "\":\"" + t.Value + "\""))
        + "}}]";

    private static string Jaeger((string Key, string Value)[] tags) =>
        "{\"data\":[{\"traceID\":\"" + TraceId + "\",\"spans\":[{\"traceID\":\"" + TraceId + "\",\"spanID\":\"" + SpanId + "\","
        + "\"operationName\":\"SELECT beasts\",\"references\":[],\"startTime\":1700000000000000,\"duration\":30000,\"processID\":\"p1\","
        + "\"tags\":[{\"key\":\"span.kind\",\"type\":\"string\",\"value\":\"client\"},"
        + string.Join(',', tags.Select(t => "{\"key\":\"" + t.Key + "\",\"type\":\"string\",\"value\":\"" + t.Value + "\"}"))
        + "]}],\"processes\":{\"p1\":{\"serviceName\":\"mythical-server\",\"tags\":[]}}}]}";
}
