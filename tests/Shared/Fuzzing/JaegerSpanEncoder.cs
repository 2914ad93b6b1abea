using System.Globalization;
using System.Text.Json;
using DepMap.Core.Spans;
using CoreSpan = DepMap.Core.Spans.Span;

namespace DepMap.Tests.Shared.Fuzzing;

/// <summary>
/// Core spans back to Jaeger JSON as Jaeger UI downloads traces:
/// <c>{"data":[{"traceID","spans","processes"}]}</c>, one trace object per trace id and one process
/// per (service, namespace) in it. Times are microseconds; the parent is a CHILD_OF reference and
/// links are FOLLOWS_FROM ones; kind, failure and every attribute are typed tags.
/// </summary>
internal static class JaegerSpanEncoder
{
    /// <summary>The spans in the order the encoder writes them (and the decoder gives them back): by trace.</summary>
    public static List<CoreSpan> InWrittenOrder(IEnumerable<CoreSpan> spans) => spans.GroupBy(s => s.TraceId).SelectMany(g => g).ToList();

    /// <summary>
    /// The spans as a Jaeger document, or an <see cref="ArgumentException"/> for a span Jaeger cannot
    /// carry: Jaeger has no remote endpoint and no shared flag (Zipkin's), and no time finer than a
    /// microsecond. Refusing rather than dropping such a field keeps every caller's comparison honest.
    /// </summary>
    public static byte[] Json(IEnumerable<CoreSpan> spans)
    {
        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteStartArray("data");
            foreach (var trace in spans.GroupBy(s => s.TraceId))
            {
                var processes = trace.Select(s => (s.LocalService, s.ServiceNamespace)).Distinct().ToList();
                json.WriteStartObject();
                json.WriteString("traceID", Hex(trace.Key));
                json.WriteStartArray("spans");
                foreach (var span in trace)
                {
                    WriteSpan(json, span, ProcessId(processes.IndexOf((span.LocalService, span.ServiceNamespace))));
                }
                json.WriteEndArray();
                json.WriteStartObject("processes");
                for (var i = 0; i < processes.Count; i++)
                {
                    json.WriteStartObject(ProcessId(i));
                    if (processes[i].LocalService is not null)
                    {
                        json.WriteString("serviceName", processes[i].LocalService);
                    }
                    json.WriteStartArray("tags");
                    WriteTag(json, "service.namespace", processes[i].ServiceNamespace);
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return output.ToArray();
    }

    private static string ProcessId(int index) => "p" + (index + 1).ToString(CultureInfo.InvariantCulture);

    private static void WriteSpan(Utf8JsonWriter json, CoreSpan span, string processId)
    {
        if (span.RemoteService is not null || span.Shared)
        {
            throw new ArgumentException($"Jaeger has no remote endpoint and no shared flag: span {Hex(span.SpanId)}", nameof(span));
        }
        json.WriteStartObject();
        json.WriteString("traceID", Hex(span.TraceId));
        json.WriteString("spanID", Hex(span.SpanId));
        if (span.Name is not null)
        {
            json.WriteString("operationName", span.Name);
        }
        json.WriteStartArray("references");
        // The first CHILD_OF is the parent; every other reference is a link.
        if (span.ParentId != 0)
        {
            WriteReference(json, "CHILD_OF", span.TraceId, span.ParentId);
        }
        foreach (var link in span.Links)
        {
            WriteReference(json, "FOLLOWS_FROM", link.TraceId, link.SpanId);
        }
        json.WriteEndArray();
        json.WriteNumber("startTime", NativeTime.Micros(span.StartUnixNano));
        json.WriteNumber("duration", NativeTime.Micros(span.DurationNano));
        json.WriteStartArray("tags");
        if (span.Kind != SpanKind.Unspecified)
        {
            WriteTag(json, "span.kind", span.Kind.ToString().ToLowerInvariant());
        }
        if (span.Error)
        {
            json.WriteStartObject();
            json.WriteString("key", "error");
            json.WriteString("type", "bool");
            json.WriteBoolean("value", true);
            json.WriteEndObject();
        }
        // Jaeger's clients (OpenTracing's conventions) name the status http.status_code; the decoder takes it for http.response.status_code.
        foreach (var (key, text, number) in SpanAttributes.Of(span, "http.status_code"))
        {
            if (text is not null)
            {
                WriteTag(json, key, text);
            }
            else
            {
                json.WriteStartObject();
                json.WriteString("key", key);
                json.WriteString("type", "int64");
                json.WriteNumber("value", number!.Value);
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
        json.WriteString("processID", processId);
        json.WriteEndObject();
    }

    private static void WriteReference(Utf8JsonWriter json, string type, TraceId traceId, ulong spanId)
    {
        if (spanId == 0)
        {
            throw new ArgumentException("a Jaeger reference without a span id is no reference", nameof(spanId));
        }
        json.WriteStartObject();
        json.WriteString("refType", type);
        // A link to no trace (its id read as absent) is a reference without one.
        if (!traceId.IsEmpty)
        {
            json.WriteString("traceID", Hex(traceId));
        }
        json.WriteString("spanID", Hex(spanId));
        json.WriteEndObject();
    }

    private static void WriteTag(Utf8JsonWriter json, string key, string? value)
    {
        if (value is null)
        {
            return;
        }
        json.WriteStartObject();
        json.WriteString("key", key);
        json.WriteString("type", "string");
        json.WriteString("value", value);
        json.WriteEndObject();
    }

    // Jaeger's clients write ids without leading zeros (jaeger-client-csharp: {High:x}{Low:x16}, {Low:x} for a 64-bit trace id).
    private static string Hex(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);

    private static string Hex(TraceId id) => id.High == 0 ? Hex(id.Low) : Hex(id.High) + id.Low.ToString("x16", CultureInfo.InvariantCulture);
}
