using System.Text;
using System.Text.Json;
using DepMap.Core.Spans;

namespace DepMap.Cli.Tests;

/// <summary>
/// Writes spans as a Zipkin v2 JSON array, one span per line, with what the synthetic traces carry:
/// ids, kind, name, times in microseconds, the local service, the <c>error</c> tag and database tags.
/// </summary>
internal static class ZipkinSpanWriter
{
    public static string Write(IEnumerable<Span> spans)
    {
        var text = new StringBuilder("[\n");
        var first = true;
        foreach (var span in spans)
        {
            if (!first)
            {
                text.Append(",\n");
            }
            first = false;
            text.Append(Encoding.UTF8.GetString(WriteSpan(span)));
        }
        return text.Append("\n]\n").ToString();
    }

    private static byte[] WriteSpan(Span span)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("traceId", span.TraceId.ToString());
            json.WriteString("id", span.SpanId.ToString("x16"));
            if (span.ParentId != 0)
            {
                json.WriteString("parentId", span.ParentId.ToString("x16"));
            }
            if (span.Kind is SpanKind.Server or SpanKind.Client)
            {
                json.WriteString("kind", span.Kind == SpanKind.Server ? "SERVER" : "CLIENT");
            }
            json.WriteString("name", span.Name);
            // Zipkin times are microseconds.
            json.WriteNumber("timestamp", span.StartUnixNano / 1_000);
            json.WriteNumber("duration", Math.Max(1, span.DurationNano / 1_000));
            json.WriteStartObject("localEndpoint");
            json.WriteString("serviceName", span.LocalService);
            json.WriteEndObject();
            if (span.DbSystem is not null || span.DbNamespace is not null || span.Error)
            {
                json.WriteStartObject("tags");
                if (span.DbSystem is { } system)
                {
                    json.WriteString("db.system", system);
                }
                if (span.DbNamespace is { } database)
                {
                    json.WriteString("db.namespace", database);
                }
                if (span.Error)
                {
                    json.WriteString("error", "true");
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return stream.ToArray();
    }
}
