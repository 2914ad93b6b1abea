using BenchmarkDotNet.Attributes;
using DepMap.Ingest;
using DepMap.Ingest.Otlp.Proto.Collector;

namespace DepMap.Benchmarks.Decoding;

/// <summary>
/// Decoding throughput on one core, per span: each invocation decodes one 512-span export batch.
/// The plain Google.Protobuf parse of the same bytes is the baseline, the limit a generated
/// parser reaches while building full message objects.
/// </summary>
[MemoryDiagnoser]
public class DecodingBenchmarks
{
    private const int Spans = 512;
    private readonly SyntheticBatch _batch = new(Spans, services: 50);

    [Benchmark(Baseline = true, OperationsPerInvoke = Spans)]
    public object GoogleProtobufParse() => ExportTraceServiceRequest.Parser.ParseFrom(_batch.OtlpProtobuf);

    [Benchmark(OperationsPerInvoke = Spans)]
    public DecodedBatch OtlpProtobuf() => SpanDecoders.Decode(TraceFormat.OtlpProtobuf, _batch.OtlpProtobuf);

    [Benchmark(OperationsPerInvoke = Spans)]
    public DecodedBatch OtlpJson() => SpanDecoders.Decode(TraceFormat.OtlpJson, _batch.OtlpJson);

    [Benchmark(OperationsPerInvoke = Spans)]
    public DecodedBatch ZipkinJson() => SpanDecoders.Decode(TraceFormat.ZipkinJson, _batch.ZipkinJson);
}
