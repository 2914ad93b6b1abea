using System.Text;
using DepMap.Ingest.Otlp.Proto.Collector;
using DepMap.Ingest.Otlp.Proto.Common;
using DepMap.Ingest.Otlp.Proto.Resource;
using DepMap.Ingest.Otlp.Proto.Trace;
using Google.Protobuf;
using CoreSpan = DepMap.Core.Spans.Span;
using ProtoSpan = DepMap.Ingest.Otlp.Proto.Trace.Span;

namespace DepMap.Ingest.Tests;

/// <summary>
/// The rules every decoder applies to names: bytes that are not UTF-8 make the payload malformed
/// (never a name altered with replacement characters), and names longer than
/// <see cref="CoreSpan.MaxNameLength"/> are cut to it and counted.
/// </summary>
public class NameRulesTests
{
    private const string Marker = "svc-MARK";

    [Theory]
    [InlineData(TraceFormat.OtlpProtobuf)]
    [InlineData(TraceFormat.OtlpJson)]
    [InlineData(TraceFormat.ZipkinJson)]
    [InlineData(TraceFormat.JaegerJson)]
    public void Decode_RefusesThePayload_WhenAServiceNameHoldsRawInvalidUtf8(TraceFormat format)
    {
        var valid = Payload(format, Marker);
        var invalid = Replace(valid, "MARK"u8.ToArray(), [(byte)'M', 0xFF, 0xFE, (byte)'K']);

        Assert.Equal(Marker, Assert.Single(SpanDecoders.Decode(format, valid).Spans).LocalService);
        var error = Assert.Throws<SpanDecodeException>(() => SpanDecoders.Decode(format, invalid));
        Assert.Contains("invalid UTF-8 in a string", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TraceFormat.OtlpProtobuf)]
    [InlineData(TraceFormat.OtlpJson)]
    [InlineData(TraceFormat.ZipkinJson)]
    [InlineData(TraceFormat.JaegerJson)]
    public void Decode_CutsAndCountsTheName_WhenAServiceNameIsLongerThanTheCap(TraceFormat format)
    {
        var name = "svc-" + new string('x', 3 * 1024 * 1024);

        var batch = SpanDecoders.Decode(format, Payload(format, name));

        var span = Assert.Single(batch.Spans);
        Assert.Equal(name[..CoreSpan.MaxNameLength], span.LocalService);
        Assert.Equal(1, batch.TruncatedNames);
    }

    [Fact]
    public void Decode_CutsBeforeASurrogatePair_WhenTheCapFallsInsideIt()
    {
        var name = new string('a', CoreSpan.MaxNameLength - 1) + "😀tail";

        var batch = SpanDecoders.Decode(TraceFormat.ZipkinJson, Payload(TraceFormat.ZipkinJson, name));

        Assert.Equal(new string('a', CoreSpan.MaxNameLength - 1), Assert.Single(batch.Spans).LocalService);
    }

    [Fact]
    public void Decode_CountsNothing_WhenEveryNameFits()
    {
        Assert.Equal(0, SpanDecoders.Decode(TraceFormat.ZipkinJson, Payload(TraceFormat.ZipkinJson, new string('a', CoreSpan.MaxNameLength))).TruncatedNames);
    }

    private static byte[] Payload(TraceFormat format, string service) => format switch
    {
        TraceFormat.OtlpProtobuf => new ExportTraceServiceRequest
        {
            ResourceSpans =
            {
                new ResourceSpans
                {
                    Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } } } },
                    ScopeSpans =
                    {
                        new ScopeSpans
                        {
                            Spans =
                            {
                                new ProtoSpan
                                {
                                    TraceId = ByteString.CopyFrom(Convert.FromHexString("5b8aa5a2d2c872e8321cf37308d69df2")),
                                    SpanId = ByteString.CopyFrom(Convert.FromHexString("051581bf3cb55c13")),
                                    Name = "GET /",
                                    Kind = ProtoSpan.Types.SpanKind.Server,
                                },
                            },
                        },
                    },
                },
            },
        }.ToByteArray(),
        TraceFormat.OtlpJson => Encoding.UTF8.GetBytes(
            "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"" + service + "\"}}]},"
            + "\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5b8aa5a2d2c872e8321cf37308d69df2\",\"spanId\":\"051581bf3cb55c13\",\"name\":\"GET /\",\"kind\":2}]}]}]}"),
        TraceFormat.ZipkinJson => Encoding.UTF8.GetBytes(
            "[{\"traceId\":\"5b8aa5a2d2c872e8321cf37308d69df2\",\"id\":\"051581bf3cb55c13\",\"kind\":\"SERVER\",\"localEndpoint\":{\"serviceName\":\"" + service + "\"}}]"),
        _ => Encoding.UTF8.GetBytes(
            "{\"data\":[{\"traceID\":\"5b8aa5a2d2c872e8321cf37308d69df2\",\"spans\":[{\"traceID\":\"5b8aa5a2d2c872e8321cf37308d69df2\",\"spanID\":\"051581bf3cb55c13\","
            + "\"operationName\":\"GET /\",\"processID\":\"p1\"}],\"processes\":{\"p1\":{\"serviceName\":\"" + service + "\"}}}]}"),
    };

    private static byte[] Replace(byte[] payload, byte[] what, byte[] with)
    {
        var at = payload.AsSpan().IndexOf(what);
        Assert.True(at >= 0);
        var copy = payload.ToArray();
        with.CopyTo(copy, at);
        return copy;
    }
}
