using System.Text;
using DepMap.Core.Spans;
using DepMap.Tests.Shared.Fuzzing;

namespace DepMap.Ingest.Tests.Fuzzing;

/// <summary>What the decoder fuzzing found, each pinned by the smallest payload that shows it.</summary>
public class FuzzFindingsTests
{
    private const string Trace = "5b8efff798038103d269b633813fc60c";
    private const string SpanId = "eee19b7ec3c1b174";

    public static TheoryData<TraceFormat, string> LoneSurrogateNames => new()
    {
        // System.Text.Json reads a lone surrogate escape fine and throws InvalidOperationException
        // only when it unescapes the name to compare it: that escaped as a 500.
        { TraceFormat.ZipkinJson, """[{"traceId":"5b8efff798038103","id":"eee19b7ec3c1b174","localEndpoint":{"\ud800":"x"}}]""" },
        { TraceFormat.OtlpJson, """{"resourceSpans":[{"scopeSpans":[{"\ud800":[]}]}]}""" },
        { TraceFormat.OtlpJson, """{"resourceSpans":[{"resource":{"attributes":[{"\udc00":"service.name"}]}}]}""" },
        { TraceFormat.JaegerJson, """{"data":[{"traceID":"5b8efff798038103","spans":[{"traceID":"5b8efff798038103","spanID":"eee19b7ec3c1b174","tags":[{"\udc00":"x"}]}]}]}""" },
    };

    [Theory]
    [MemberData(nameof(LoneSurrogateNames))]
    public void Decode_RefusesWithDecodeError_WhenAPropertyNameHasALoneSurrogateEscape(TraceFormat format, string payload)
    {
        var error = Assert.Throws<SpanDecodeException>(() => SpanDecoders.Decode(format, Encoding.UTF8.GetBytes(payload)));
        Assert.Contains("lone surrogate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OtlpJsonDecode_GivesTheProtobufSpan_WhenEndTimeIsPastTheSignedRange()
    {
        // fixed64 in the proto: OTLP JSON refused what OTLP protobuf took, so a span changed between encodings.
        var span = new Span
        {
            TraceId = new TraceId(0x5b8efff798038103, 0xd269b633813fc60c),
            SpanId = 0xeee19b7ec3c1b174,
            StartUnixNano = 5_000_000_000_000_000_000,
            DurationNano = 6_525_285_147_896_856_121,
        };

        var viaJson = SpanDecoders.Decode(TraceFormat.OtlpJson, OtlpSpanEncoder.Json([span]));
        var viaProtobuf = SpanDecoders.Decode(TraceFormat.OtlpProtobuf, OtlpSpanEncoder.Protobuf([span]));

        Assert.Equal(viaProtobuf.Spans, viaJson.Spans, SpanComparer.Instance);
        Assert.Equal(span, Assert.Single(viaJson.Spans), SpanComparer.Instance);
    }

    public static TheoryData<TraceFormat, string> NegativeTimes => new()
    {
        { TraceFormat.ZipkinJson, $$"""[{"traceId":"{{Trace}}","id":"{{SpanId}}","timestamp":-5,"duration":-7}]""" },
        { TraceFormat.JaegerJson, $$"""{"data":[{"spans":[{"traceID":"{{Trace}}","spanID":"{{SpanId}}","startTime":-5,"duration":-7}]}]}""" },
    };

    [Theory]
    [MemberData(nameof(NegativeTimes))]
    public void Decode_ReadsNegativeMicrosecondsAsAbsent_WhenZipkinOrJaegerTimeIsNegative(TraceFormat format, string payload)
    {
        // Zipkin and Jaeger took a negative time as a negative one in nanoseconds, which OTLP (unsigned
        // times, an end before the start read as no duration) gives back otherwise: the span changed
        // between encodings. Zipkin's own span builder reads a negative time as absent.
        var span = Assert.Single(SpanDecoders.Decode(format, Encoding.UTF8.GetBytes(payload)).Spans);

        Assert.Equal((0L, 0L), (span.StartUnixNano, span.DurationNano));
        Assert.Equal(span, Assert.Single(SpanDecoders.Decode(TraceFormat.OtlpJson, OtlpSpanEncoder.Json([span])).Spans), SpanComparer.Instance);
    }

    [Fact]
    public void OtlpJsonDecode_RefusesNamingTheField_WhenStartTimeIsNegative()
    {
        var payload = $$"""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"{{Trace}}","spanId":"{{SpanId}}","startTimeUnixNano":"-5"}]}]}]}""";

        var error = Assert.Throws<SpanDecodeException>(() => SpanDecoders.Decode(TraceFormat.OtlpJson, Encoding.UTF8.GetBytes(payload)));

        Assert.Contains("startTimeUnixNano", error.Message, StringComparison.Ordinal);
    }
}
