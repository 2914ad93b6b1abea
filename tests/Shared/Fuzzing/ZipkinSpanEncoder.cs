using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DepMap.Core.Spans;
using CoreSpan = DepMap.Core.Spans.Span;

namespace DepMap.Tests.Shared.Fuzzing;

/// <summary>
/// Core spans back to Zipkin v2 JSON (<c>POST /api/v2/spans</c>), as Zipkin writes them: hex ids
/// (a 16-digit trace id when its high half is zero), microsecond times, the reporting service as
/// <c>localEndpoint</c>, the peer as <c>remoteEndpoint</c>, <c>shared</c>, and every attribute as a
/// string tag. Spans stay in their order.
/// </summary>
internal static class ZipkinSpanEncoder
{
    /// <summary>
    /// The spans as a Zipkin v2 array, or an <see cref="ArgumentException"/> for a span Zipkin cannot
    /// carry: it has no INTERNAL kind (a local span has none), no links, and no time finer than a
    /// microsecond. Refusing rather than dropping such a field keeps every caller's comparison honest.
    /// </summary>
    public static byte[] Json(IEnumerable<CoreSpan> spans)
    {
        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartArray();
            foreach (var span in spans)
            {
                WriteSpan(json, span);
            }
            json.WriteEndArray();
        }
        return output.ToArray();
    }

    private static void WriteSpan(Utf8JsonWriter json, CoreSpan span)
    {
        if (span.Links.Count > 0)
        {
            throw new ArgumentException($"Zipkin v2 has no links: span {span.SpanId:x16}", nameof(span));
        }
        json.WriteStartObject();
        // TraceId's text is Zipkin's: 16 digits for a 64-bit id, 32 for a 128-bit one.
        json.WriteString("traceId", span.TraceId.ToString());
        json.WriteString("id", span.SpanId.ToString("x16", CultureInfo.InvariantCulture));
        if (span.ParentId != 0)
        {
            json.WriteString("parentId", span.ParentId.ToString("x16", CultureInfo.InvariantCulture));
        }
        if (span.Kind != SpanKind.Unspecified)
        {
            json.WriteString("kind", span.Kind switch
            {
                SpanKind.Client => "CLIENT",
                SpanKind.Server => "SERVER",
                SpanKind.Producer => "PRODUCER",
                SpanKind.Consumer => "CONSUMER",
                _ => throw new ArgumentException($"Zipkin v2 has no {span.Kind} kind: span {span.SpanId:x16}", nameof(span)),
            });
        }
        if (span.Name is not null)
        {
            json.WriteString("name", span.Name);
        }
        json.WriteNumber("timestamp", NativeTime.Micros(span.StartUnixNano));
        json.WriteNumber("duration", NativeTime.Micros(span.DurationNano));
        if (span.Shared)
        {
            json.WriteBoolean("shared", true);
        }
        if (span.LocalService is not null)
        {
            json.WriteStartObject("localEndpoint");
            json.WriteString("serviceName", span.LocalService);
            json.WriteEndObject();
        }
        var (ipField, port) = RemoteSocket(span);
        if (span.RemoteService is not null || ipField is not null || port is not null)
        {
            json.WriteStartObject("remoteEndpoint");
            if (span.RemoteService is not null)
            {
                json.WriteString("serviceName", span.RemoteService);
            }
            if (ipField is not null)
            {
                json.WriteString(ipField, span.NetworkPeerAddress);
            }
            if (port is not null)
            {
                json.WriteNumber("port", port.Value);
            }
            json.WriteEndObject();
        }
        json.WriteStartObject("tags");
        // Zipkin counts a span as failed when the error tag is there; its value is the message.
        if (span.Error)
        {
            json.WriteString("error", "true");
        }
        if (span.ServiceNamespace is not null)
        {
            // Zipkin has no resource: OpenTelemetry's Zipkin exporter writes resource attributes as tags.
            json.WriteString("service.namespace", span.ServiceNamespace);
        }
        // Brave, Zipkin's own tracer, names the status http.status_code; the decoder takes it for http.response.status_code.
        foreach (var (key, text, number) in SpanAttributes.Of(span, "http.status_code"))
        {
            var inEndpoint = (key == "network.peer.address" && ipField is not null) || (key == "network.peer.port" && port is not null);
            if (!inEndpoint)
            {
                json.WriteString(key, text ?? number!.Value.ToString(CultureInfo.InvariantCulture));
            }
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// Where the peer's socket goes: Zipkin's remote endpoint holds an IP literal (ipv4 or ipv6) and a
    /// port from 1 to 65535, so an address that is no IP, or a port out of that range, stays a tag.
    /// The endpoint's port only counts beside the endpoint's address (a network.peer.address tag
    /// drops it), so a port goes there only when the address is not a tag.
    /// </summary>
    private static (string? IpField, int? Port) RemoteSocket(CoreSpan span)
    {
        string? ipField = null;
        if (span.NetworkPeerAddress is not null && IPAddress.TryParse(span.NetworkPeerAddress, out var ip))
        {
            ipField = ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";
        }
        var addressIsTag = span.NetworkPeerAddress is not null && ipField is null;
        int? port = span.NetworkPeerPort is > 0 and <= 65535 && !addressIsTag ? span.NetworkPeerPort : null;
        return (ipField, port);
    }
}
