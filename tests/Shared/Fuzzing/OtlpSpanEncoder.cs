using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DepMap.Ingest.Otlp.Proto.Collector;
using DepMap.Ingest.Otlp.Proto.Common;
using DepMap.Ingest.Otlp.Proto.Resource;
using DepMap.Ingest.Otlp.Proto.Trace;
using Google.Protobuf;
using CoreSpan = DepMap.Core.Spans.Span;
using CoreTraceId = DepMap.Core.Spans.TraceId;
using ProtoSpan = DepMap.Ingest.Otlp.Proto.Trace.Span;

namespace DepMap.Tests.Shared.Fuzzing;

/// <summary>
/// Core spans back to OTLP, protobuf (through the generated OTLP classes) and JSON (the OTLP/JSON
/// mapping: hex ids, integer enums, 64-bit integers as strings), writing each field DepMap reads
/// under its current semantic-convention name. One resource per (service, namespace).
/// </summary>
internal static class OtlpSpanEncoder
{
    /// <summary>The spans in the order the encoders write them (and the decoders give them back): by resource.</summary>
    public static List<CoreSpan> InWrittenOrder(IEnumerable<CoreSpan> spans) =>
        spans.GroupBy(s => (s.LocalService, s.ServiceNamespace)).SelectMany(g => g).ToList();

    public static byte[] Protobuf(IEnumerable<CoreSpan> spans)
    {
        var request = new ExportTraceServiceRequest();
        foreach (var group in spans.GroupBy(s => (s.LocalService, s.ServiceNamespace)))
        {
            var resource = new Resource();
            AddString(resource.Attributes, "service.name", group.Key.LocalService);
            AddString(resource.Attributes, "service.namespace", group.Key.ServiceNamespace);
            var scope = new ScopeSpans();
            foreach (var span in group)
            {
                var proto = new ProtoSpan
                {
                    TraceId = TraceIdBytes(span.TraceId),
                    SpanId = SpanIdBytes(span.SpanId),
                    Name = span.Name ?? "",
                    Kind = (ProtoSpan.Types.SpanKind)(int)span.Kind,
                    StartTimeUnixNano = (ulong)span.StartUnixNano,
                    EndTimeUnixNano = unchecked((ulong)span.StartUnixNano + (ulong)span.DurationNano),
                };
                if (span.ParentId != 0)
                {
                    proto.ParentSpanId = SpanIdBytes(span.ParentId);
                }
                if (span.Error)
                {
                    proto.Status = new Status { Code = Status.Types.StatusCode.Error };
                }
                foreach (var link in span.Links)
                {
                    proto.Links.Add(new ProtoSpan.Types.Link { TraceId = TraceIdBytes(link.TraceId), SpanId = SpanIdBytes(link.SpanId) });
                }
                foreach (var (key, text, number) in SpanAttributes.Of(span))
                {
                    if (text is not null)
                    {
                        AddString(proto.Attributes, key, text);
                    }
                    else
                    {
                        proto.Attributes.Add(new KeyValue { Key = key, Value = new AnyValue { IntValue = number!.Value } });
                    }
                }
                scope.Spans.Add(proto);
            }
            request.ResourceSpans.Add(new ResourceSpans { Resource = resource, ScopeSpans = { scope } });
        }
        return request.ToByteArray();
    }

    public static byte[] Json(IEnumerable<CoreSpan> spans)
    {
        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteStartArray("resourceSpans");
            foreach (var group in spans.GroupBy(s => (s.LocalService, s.ServiceNamespace)))
            {
                json.WriteStartObject();
                json.WriteStartObject("resource");
                json.WriteStartArray("attributes");
                WriteAttribute(json, "service.name", group.Key.LocalService, null);
                WriteAttribute(json, "service.namespace", group.Key.ServiceNamespace, null);
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteStartArray("scopeSpans");
                json.WriteStartObject();
                json.WriteStartArray("spans");
                foreach (var span in group)
                {
                    WriteSpan(json, span);
                }
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return output.ToArray();
    }

    private static void WriteSpan(Utf8JsonWriter json, CoreSpan span)
    {
        json.WriteStartObject();
        json.WriteString("traceId", Convert.ToHexStringLower(TraceIdBytes(span.TraceId).Span));
        json.WriteString("spanId", span.SpanId.ToString("x16", CultureInfo.InvariantCulture));
        if (span.ParentId != 0)
        {
            json.WriteString("parentSpanId", span.ParentId.ToString("x16", CultureInfo.InvariantCulture));
        }
        if (span.Name is not null)
        {
            json.WriteString("name", span.Name);
        }
        json.WriteNumber("kind", (int)span.Kind);
        json.WriteString("startTimeUnixNano", ((ulong)span.StartUnixNano).ToString(CultureInfo.InvariantCulture));
        json.WriteString("endTimeUnixNano", unchecked((ulong)span.StartUnixNano + (ulong)span.DurationNano).ToString(CultureInfo.InvariantCulture));
        json.WriteStartArray("attributes");
        foreach (var (key, text, number) in SpanAttributes.Of(span))
        {
            WriteAttribute(json, key, text, number);
        }
        json.WriteEndArray();
        if (span.Links.Count > 0)
        {
            json.WriteStartArray("links");
            foreach (var link in span.Links)
            {
                json.WriteStartObject();
                json.WriteString("traceId", Convert.ToHexStringLower(TraceIdBytes(link.TraceId).Span));
                json.WriteString("spanId", link.SpanId.ToString("x16", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (span.Error)
        {
            json.WriteStartObject("status");
            json.WriteNumber("code", 2);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteAttribute(Utf8JsonWriter json, string key, string? text, long? number)
    {
        if (text is null && number is null)
        {
            return;
        }
        json.WriteStartObject();
        json.WriteString("key", key);
        json.WriteStartObject("value");
        if (text is not null)
        {
            json.WriteString("stringValue", text);
        }
        else
        {
            json.WriteString("intValue", number!.Value.ToString(CultureInfo.InvariantCulture));
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void AddString(Google.Protobuf.Collections.RepeatedField<KeyValue> attributes, string key, string? value)
    {
        if (value is not null)
        {
            attributes.Add(new KeyValue { Key = key, Value = new AnyValue { StringValue = value } });
        }
    }

    private static ByteString TraceIdBytes(CoreTraceId id)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, id.High);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), id.Low);
        return ByteString.CopyFrom(bytes);
    }

    private static ByteString SpanIdBytes(ulong id)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, id);
        return ByteString.CopyFrom(bytes);
    }

    /// <summary>For failure messages: the payload as text when it is UTF-8 JSON, else base64.</summary>
    public static string Show(byte[] payload, bool json) => json ? Encoding.UTF8.GetString(payload) : Convert.ToBase64String(payload);
}
