using System.Text;
using DepMap.Ingest;

namespace DepMap.Server.Features.Ingest;

/// <summary>
/// The <c>ExportTraceServiceResponse</c> OTLP answers with, in the request's encoding. OTLP asks a
/// server that accepted everything to leave <c>partial_success</c> unset, and one that refused some
/// spans to say how many and why; Ingest's encoders follow that rule.
/// </summary>
internal static class OtlpExportResponse
{
    public static IResult Http(TraceFormat format, IngestResult result) => format == TraceFormat.OtlpJson
        ? Results.Text(SpanDecoders.EncodeExportResponseJson(result.RejectedSpans, result.Message), "application/json", Encoding.UTF8)
        : Results.Bytes(Protobuf(result), "application/x-protobuf");

    public static byte[] Protobuf(IngestResult result) =>
        SpanDecoders.EncodeExportResponse(result.RejectedSpans, result.Message);
}
