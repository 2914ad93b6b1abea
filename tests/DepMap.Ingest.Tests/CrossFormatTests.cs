using DepMap.Benchmarks.Decoding;
using DepMap.Core.Spans;

namespace DepMap.Ingest.Tests;

public class CrossFormatTests
{
    [Fact]
    public void Decode_GivesIdenticalSpans_WhenTheSameBatchIsOtlpProtobufOrJson()
    {
        var batch = new SyntheticBatch(512, services: 50);

        var protobuf = SpanDecoders.Decode(TraceFormat.OtlpProtobuf, batch.OtlpProtobuf).Spans;
        var json = SpanDecoders.Decode(TraceFormat.OtlpJson, batch.OtlpJson).Spans;

        Assert.Equal(512, protobuf.Count);
        Assert.Equal(protobuf, json, SpanComparer.Instance);
        Assert.Equal(50, protobuf.Select(s => s.LocalService).Distinct().Count());
        Assert.All(protobuf, s => Assert.Equal("shop", s.ServiceNamespace));
        Assert.All(protobuf.Where(s => s.Kind == SpanKind.Client), s => Assert.StartsWith("service-", s.PeerService));
        Assert.All(protobuf, s => Assert.Equal(8080, s.ServerPort));
    }

    [Fact]
    public void Decode_GivesTheSameCallsAndFailures_WhenTheSameBatchIsZipkin()
    {
        var batch = new SyntheticBatch(512, services: 50);

        var otlp = SpanDecoders.Decode(TraceFormat.OtlpProtobuf, batch.OtlpProtobuf).Spans;
        var zipkin = SpanDecoders.Decode(TraceFormat.ZipkinJson, batch.ZipkinJson).Spans;

        // Zipkin keeps microseconds and the exporter lower-cases names, so compare what survives that.
        Assert.Equal(
            otlp.Select(s => (s.TraceId, s.SpanId, s.ParentId, s.Kind, s.LocalService, s.Error, s.PeerService, s.HttpResponseStatusCode, s.StartUnixNano / 1000)),
            zipkin.Select(s => (s.TraceId, s.SpanId, s.ParentId, s.Kind, s.LocalService, s.Error, s.PeerService, s.HttpResponseStatusCode, s.StartUnixNano / 1000)));
    }
}
