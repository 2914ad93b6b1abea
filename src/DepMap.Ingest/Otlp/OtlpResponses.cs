using DepMap.Ingest.Otlp.Proto.Collector;
using Google.Protobuf;

namespace DepMap.Ingest.Otlp;

/// <summary>
/// <c>ExportTraceServiceResponse</c> bodies. OTLP asks a server that accepted everything to leave
/// <c>partial_success</c> unset, and one that refused some spans to say how many and why.
/// </summary>
internal static class OtlpResponses
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default);

    public static byte[] Protobuf(int rejectedSpans, string? message) => Build(rejectedSpans, message).ToByteArray();

    public static string ToJson(int rejectedSpans, string? message) => Json.Format(Build(rejectedSpans, message));

    private static ExportTraceServiceResponse Build(int rejectedSpans, string? message)
    {
        var response = new ExportTraceServiceResponse();
        if (rejectedSpans > 0 || !string.IsNullOrEmpty(message))
        {
            response.PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = rejectedSpans, ErrorMessage = message ?? "" };
        }
        return response;
    }
}
