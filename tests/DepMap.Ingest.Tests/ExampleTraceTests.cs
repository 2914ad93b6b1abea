using DepMap.Core.Spans;
using DepMap.Tests.Shared;

namespace DepMap.Ingest.Tests;

/// <summary>docs/examples holds one example trace in each format; all three must say the same thing.</summary>
public class ExampleTraceTests
{
    private static readonly long T0 = LogisticsTraffic.DefaultStart.ToUnixTimeMilliseconds() * 1_000_000;

    private static DecodedBatch DecodeExample(string file, TraceFormat expected)
    {
        var payload = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Examples", file));
        Assert.Equal(expected, SpanDecoders.Detect(payload));
        return SpanDecoders.Decode(expected, payload);
    }

    [Theory]
    [InlineData("logistics-tracking.otlp.json", TraceFormat.OtlpJson)]
    [InlineData("logistics-tracking.jaeger.json", TraceFormat.JaegerJson)]
    public void Decode_GivesTheExampleTrace_WhenReadingTheDocsExample(string file, TraceFormat format)
    {
        var batch = DecodeExample(file, format);

        Assert.Equal(0, batch.RejectedSpans);
        OpenTelemetrySdkTests.AssertExampleTrace(batch.Spans, T0, failed: false);
    }

    [Fact]
    public void Decode_GivesTheSameSpansInEveryFormat_WhenReadingTheDocsExamples()
    {
        var otlp = DecodeExample("logistics-tracking.otlp.json", TraceFormat.OtlpJson).Spans;
        var jaeger = DecodeExample("logistics-tracking.jaeger.json", TraceFormat.JaegerJson).Spans;
        var zipkin = DecodeExample("logistics-tracking.zipkin.json", TraceFormat.ZipkinJson).Spans;

        OpenTelemetrySdkTests.AssertExampleTrace(zipkin, T0, failed: false, zipkinKinds: true);
        Assert.Equal(otlp, jaeger, SpanComparer.Instance);
        // Zipkin v2 has no INTERNAL kind: such spans are written kind-less, which is what they decode to.
        Assert.Equal(otlp.Select(s => s.Kind == SpanKind.Internal ? s with { Kind = SpanKind.Unspecified } : s), zipkin, SpanComparer.Instance);
    }
}
