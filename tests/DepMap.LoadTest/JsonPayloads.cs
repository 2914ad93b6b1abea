using System.Globalization;
using System.Text.Json;

namespace DepMap.LoadTest;

/// <summary>
/// The same spans as OTLP JSON (ids in hex, enums as numbers, 64-bit integers as strings, as the
/// OTLP JSON encoding specifies) and as a Zipkin v2 JSON span array (times in microseconds).
/// </summary>
internal static class JsonPayloads
{
    public static byte[] OtlpJson(IEnumerable<LoadSpan> spans) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteStartArray("resourceSpans");
        foreach (var service in spans.GroupBy(s => s.Service))
        {
            json.WriteStartObject();
            json.WriteStartObject("resource");
            json.WriteStartArray("attributes");
            OtlpAttribute(json, "service.name", $"svc-{service.Key}");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("scopeSpans");
            json.WriteStartObject();
            json.WriteStartArray("spans");
            foreach (var span in service)
            {
                OtlpSpan(json, span);
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    });

    public static byte[] Zipkin(IEnumerable<LoadSpan> spans) => Write(json =>
    {
        json.WriteStartArray();
        foreach (var span in spans)
        {
            json.WriteStartObject();
            json.WriteString("traceId", Convert.ToHexStringLower(span.TraceId));
            json.WriteString("id", Hex(span.SpanId));
            if (span.ParentId != 0)
            {
                json.WriteString("parentId", Hex(span.ParentId));
            }
            json.WriteString("kind", span.Client ? "CLIENT" : "SERVER");
            json.WriteString("name", span.Name.ToLowerInvariant());
            json.WriteNumber("timestamp", span.StartUnixNano / 1000);
            json.WriteNumber("duration", (span.EndUnixNano - span.StartUnixNano) / 1000);
            json.WriteStartObject("localEndpoint");
            json.WriteString("serviceName", $"svc-{span.Service}");
            json.WriteEndObject();
            json.WriteStartObject("tags");
            foreach (var (key, value) in span.Attributes)
            {
                json.WriteString(key, value is long number ? number.ToString(CultureInfo.InvariantCulture) : (string)value);
            }
            if (span.Failed)
            {
                json.WriteString("error", "500");
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    });

    private static void OtlpSpan(Utf8JsonWriter json, LoadSpan span)
    {
        json.WriteStartObject();
        json.WriteString("traceId", Convert.ToHexStringLower(span.TraceId));
        json.WriteString("spanId", Hex(span.SpanId));
        if (span.ParentId != 0)
        {
            json.WriteString("parentSpanId", Hex(span.ParentId));
        }
        json.WriteString("name", span.Name);
        json.WriteNumber("kind", span.Client ? 3 : 2);
        json.WriteString("startTimeUnixNano", span.StartUnixNano.ToString(CultureInfo.InvariantCulture));
        json.WriteString("endTimeUnixNano", span.EndUnixNano.ToString(CultureInfo.InvariantCulture));
        json.WriteStartArray("attributes");
        foreach (var (key, value) in span.Attributes)
        {
            OtlpAttribute(json, key, value);
        }
        json.WriteEndArray();
        if (span.Failed)
        {
            json.WriteStartObject("status");
            json.WriteNumber("code", 2);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void OtlpAttribute(Utf8JsonWriter json, string key, object value)
    {
        json.WriteStartObject();
        json.WriteString("key", key);
        json.WriteStartObject("value");
        if (value is long number)
        {
            json.WriteString("intValue", number.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteString("stringValue", (string)value);
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string Hex(ulong id) => id.ToString("x16", CultureInfo.InvariantCulture);

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            write(json);
        }
        return stream.ToArray();
    }
}
