using System.Text;
using System.Text.Json;
using DepMap.Ingest;
using Google.Protobuf;

namespace DepMap.Server.Features.Ingest;

/// <summary>
/// The <c>ExportTraceServiceResponse</c> OTLP answers with. OTLP asks a server that accepted
/// everything to leave <c>partial_success</c> unset, and one that refused some spans to say how many
/// and why. Written here with the wire format's two fields because the Ingest project's generated
/// message types are internal to it.
/// </summary>
internal static class OtlpExportResponse
{
    private const string ProtobufType = "application/x-protobuf";
    private const string JsonType = "application/json";

    public static IResult Http(TraceFormat format, IngestResult result) => format == TraceFormat.OtlpJson
        ? Results.Text(Json(result), JsonType, Encoding.UTF8)
        : Results.Bytes(Protobuf(result), ProtobufType);

    /// <summary>ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1 { int64 rejected_spans = 1; string error_message = 2; } }</summary>
    public static byte[] Protobuf(IngestResult result)
    {
        if (!HasPartialSuccess(result))
        {
            return [];
        }
        var message = result.Message ?? "";
        var inner = (result.RejectedSpans > 0 ? 1 + CodedOutputStream.ComputeInt64Size(result.RejectedSpans) : 0)
            + (message.Length > 0 ? 1 + CodedOutputStream.ComputeStringSize(message) : 0);
        var bytes = new byte[1 + CodedOutputStream.ComputeLengthSize(inner) + inner];
        var output = new CodedOutputStream(bytes);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteLength(inner);
        if (result.RejectedSpans > 0)
        {
            output.WriteTag(1, WireFormat.WireType.Varint);
            output.WriteInt64(result.RejectedSpans);
        }
        if (message.Length > 0)
        {
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteString(message);
        }
        output.Flush();
        return bytes;
    }

    /// <summary>The OTLP JSON mapping: lowerCamelCase names, 64-bit integers as strings.</summary>
    public static string Json(IngestResult result)
    {
        if (!HasPartialSuccess(result))
        {
            return "{}";
        }
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("partialSuccess");
            json.WriteString("rejectedSpans", result.RejectedSpans.ToString());
            json.WriteString("errorMessage", result.Message ?? "");
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static bool HasPartialSuccess(IngestResult result) =>
        result.RejectedSpans > 0 || !string.IsNullOrEmpty(result.Message);
}
