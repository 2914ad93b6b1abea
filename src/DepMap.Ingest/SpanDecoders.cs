using DepMap.Ingest.Jaeger;
using DepMap.Ingest.Otlp;
using DepMap.Ingest.Zipkin;

namespace DepMap.Ingest;

/// <summary>
/// The entry point from wire bytes to Core spans. Every decoder is a pure function: it returns the
/// spans, or throws <see cref="SpanDecodeException"/> naming the field or byte offset and the reason.
/// </summary>
public static class SpanDecoders
{
    /// <summary>Decodes a whole payload of the given format.</summary>
    /// <exception cref="SpanDecodeException">The payload is malformed; the message says where and why.</exception>
    public static DecodedBatch Decode(TraceFormat format, ReadOnlySpan<byte> payload) => format switch
    {
        TraceFormat.OtlpProtobuf => OtlpProtobufDecoder.Decode(payload),
        TraceFormat.OtlpJson => OtlpJsonDecoder.Decode(payload),
        TraceFormat.ZipkinJson => ZipkinJsonDecoder.Decode(payload),
        TraceFormat.JaegerJson => JaegerJsonDecoder.Decode(payload),
        _ => throw new SpanDecodeException($"unknown trace format {format}"),
    };

    /// <summary>
    /// Tells the formats apart by their first bytes: OTLP JSON has <c>resourceSpans</c>, Jaeger's
    /// download has <c>data</c> (or is a bare trace with <c>traceID</c> and <c>spans</c>), Zipkin v2 is
    /// an array of spans, and OTLP protobuf is a sequence of <c>resource_spans</c> fields. Null when
    /// the payload is none of them (or empty, or too broken to tell).
    /// </summary>
    public static TraceFormat? Detect(ReadOnlySpan<byte> payload) => FormatDetector.Detect(payload);

    /// <summary>
    /// The protobuf <c>ExportTraceServiceResponse</c> for an OTLP request: empty when every span was
    /// accepted, else <c>partial_success</c> with the rejected count and message (see <see cref="DecodedBatch"/>).
    /// </summary>
    public static byte[] EncodeExportResponse(int rejectedSpans, string? message) => OtlpResponses.Protobuf(rejectedSpans, message);

    /// <summary>The same response in OTLP JSON (<c>{"partialSuccess":{"rejectedSpans":"2","errorMessage":"..."}}</c> or <c>{}</c>).</summary>
    public static string EncodeExportResponseJson(int rejectedSpans, string? message) => OtlpResponses.ToJson(rejectedSpans, message);
}
